"""The container's health check: in webhook mode, GET /healthz on the bot's own port must answer
200; with long polling there is no port to ask, and a live process is all there is to check.

Reads the settings the bot reads (WEBHOOK_URL, WEBHOOK_LISTEN, WEBHOOK_PORT) from the
environment, or from a .env file in the working directory, and exits 0 when healthy.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT_SECONDS = 4.0


def _settings() -> dict[str, str]:
    values: dict[str, str] = {}
    dotenv = Path(".env")
    if dotenv.is_file():
        for line in dotenv.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.lstrip().startswith("#"):
                values[name.strip().upper()] = value.strip().strip("'\"")
    # the environment wins over .env, as in the bot's own settings
    values.update({name.upper(): value for name, value in os.environ.items()})
    return values


def health_url(settings: dict[str, str]) -> str | None:
    """Where /healthz answers, or None when the bot polls and serves nothing."""
    if not settings.get("WEBHOOK_URL", "").strip():
        return None
    listen = settings.get("WEBHOOK_LISTEN", "").strip() or "0.0.0.0"
    port = settings.get("WEBHOOK_PORT", "").strip() or "8080"
    # a wildcard address is reached through loopback
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(listen, listen)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = health_url(_settings())
    if url is None:
        return 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            healthy = response.status == 200
    except (urllib.error.URLError, OSError) as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if not healthy:
        print(f"unhealthy: {url} answered {response.status}", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())

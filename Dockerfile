# The bot as a container: `docker build -t afterview .`, then see the README's "Deployment".
# The base is Python 3.11 on Debian slim; PYTHON_IMAGE may name a mirror of the same image.
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the wheel, with the catalogs compiled in by setup.py, and wheels of every
# dependency at the versions requirements.lock pins (built here if a platform lacks one, so
# compilers would only ever be needed in this stage)
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md requirements.lock babel.cfg ./
COPY locales/ locales/
COPY bot/ bot/
COPY handlers/ handlers/
RUN python3 -m venv /opt/build \
 && /opt/build/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/build/bin/pip wheel --constraint requirements.lock --wheel-dir /wheels /wheels/afterview-*.whl \
 && cp requirements.lock /wheels/

# --- runtime: the installed wheel in a virtual environment, no compilers, no sources, not root
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/afterview/bin:$PATH \
    DATABASE_URL=sqlite+aiosqlite:////var/lib/afterview/afterview.db
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python3 -m venv /opt/afterview \
 && /opt/afterview/bin/pip install --no-cache-dir --no-index --find-links /wheels \
        --constraint /wheels/requirements.lock afterview \
 && groupadd --system --gid 10001 afterview \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/afterview --create-home \
        --shell /usr/sbin/nologin afterview
COPY deploy/entrypoint.sh /usr/local/bin/afterview-entrypoint
COPY deploy/healthcheck.py /usr/local/bin/afterview-healthcheck
# SQLite's file (the default database) and matplotlib's cache live in the user's home
WORKDIR /var/lib/afterview
VOLUME /var/lib/afterview
USER 10001:10001
# webhook mode's port (WEBHOOK_PORT); long polling opens none
EXPOSE 8080
# webhook mode: GET /healthz (database reachable, dispatcher alive); long polling: always healthy
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/opt/afterview/bin/python", "/usr/local/bin/afterview-healthcheck"]
# migrations first, then the command (default: run); `migrate`, `--help`... pass straight through
ENTRYPOINT ["/usr/local/bin/afterview-entrypoint"]
CMD ["run"]

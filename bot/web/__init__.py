"""Webhook mode: the HTTP server that takes Telegram's updates, /healthz and /metrics."""

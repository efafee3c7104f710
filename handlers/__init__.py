"""Telegram handlers, one module per feature the user sees."""

"""Afterview: a Telegram bot that coaches job seekers through the days after an interview."""

import os

# python-telegram-bot 22 hands time spans (a 429's retry_after) to us as timedelta when this is
# set, as its next major version will always do; the bot reads both forms, and opting in now
# spares every run the deprecation warning. Set before anything imports telegram.
os.environ.setdefault("PTB_TIMEDELTA", "1")

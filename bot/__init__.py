"""Afterview: a Telegram bot that coaches job seekers through the days after an interview."""

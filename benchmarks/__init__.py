"""Benchmarks: ratios against a bare python-telegram-bot bot and Telegram's limits."""

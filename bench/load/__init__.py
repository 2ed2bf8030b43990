"""End-to-end load benchmark: ``python -m bench.load`` (or ``make load``).

The FAQ bot and a stock BotBuilder echo bot (the reference) each run in their own process on
127.0.0.1 with authentication off; a fake Bot Connector runs in another; this process is the
load generator. See :mod:`bench.load.__main__` for what is measured and how.
"""

"""Deployment assets (Teams app package, Azure infrastructure, environments) and their tools.

Only :mod:`deployment.package` is code; it uses the standard library alone and is never
imported by the bot.
"""

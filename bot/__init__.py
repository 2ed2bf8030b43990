"""The Bot Framework and Teams edge of the FastTrack Ready FAQ bot.

The only package that imports botbuilder or aiohttp. ``bot.app`` wires HTTP to the bot,
``bot.faq_bot`` turns matcher decisions and card clicks into replies, ``bot.cards`` builds
the Adaptive Cards as plain dicts, ``bot.actions`` defines what card buttons carry,
``bot.mentions`` extracts the question from a Teams message, ``bot.recorder`` keeps the
question log (questions, clicks and votes), and ``bot.settings`` reads the environment.
"""

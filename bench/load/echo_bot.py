"""The reference: BotBuilder's 02.echo-bot sample as it is, on the stock CloudAdapter stack.

``python -m bench.load.echo_bot --port PORT [--host 127.0.0.1]``. Same shape as the sample's
``bots/echo_bot.py`` and ``app.py`` (CloudAdapter with
``ConfigurationBotFrameworkAuthentication``, ``aiohttp_error_middleware``, ``POST
/api/messages``, replies through the connector), with authentication off (no app id, as in the
Emulator). It deliberately has none of the FAQ bot's changes: every turn builds its own
connector client, and every reply opens a new connection.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.core.integration import aiohttp_error_middleware
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import ChannelAccount

log = logging.getLogger("bench.load.echo_bot")


class DefaultConfig:
    """The sample's ``config.py``, with the app id left empty (authentication off)."""

    PORT = 3978
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):  # type: ignore[misc]  # botbuilder is untyped
    """The sample's bot: greets new members, echoes every message."""

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """Say hello to everyone but the bot itself."""
        for member in members_added:
            if member.id != turn_context.activity.recipient.id:
                await turn_context.send_activity("Hello and welcome!")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        """Echo the text back."""
        await turn_context.send_activity(MessageFactory.text(f"Echo: {turn_context.activity.text}"))


async def on_error(context: TurnContext, error: Exception) -> None:
    """The sample's error handler, logging instead of printing."""
    log.error("[on_turn_error] unhandled error", exc_info=error)
    await context.send_activity("The bot encountered an error or bug.")


def make_app() -> web.Application:
    """The sample's ``app.py``: one adapter, one bot, one route."""
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(DefaultConfig()))
    adapter.on_turn_error = on_error
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        response: web.Response = await adapter.process(request, bot)
        return response

    app = web.Application(middlewares=[aiohttp_error_middleware])
    app.router.add_post("/api/messages", messages)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the echo bot until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bench.load.echo_bot", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DefaultConfig.PORT)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)  # the sample configures no logging: no access log
    web.run_app(make_app(), host=args.host, port=args.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

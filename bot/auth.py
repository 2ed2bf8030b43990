"""Bot Framework authentication for the adapter: botbuilder's own, with every bad token a 401.

botbuilder 4.17.1 raises ``PermissionError`` (which the adapter turns into HTTP 401) for a
missing token or a wrong audience or issuer, but lets other failures of the same check escape:
PyJWT's errors (forged signature, expired, malformed), an ``IndexError`` for a key id that is
not in the published keys, and a bare ``Exception`` for a key not endorsed for the channel.
Those became HTTP 500 with a traceback for every forged request. :class:`ChannelAuthentication`
makes them all ``PermissionError`` and logs why each request was refused (never the token), so
a wrong ``MicrosoftAppId`` shows up in the log as the reason for the 401s.

Only a failure to *fetch* the signing keys (a network error) stays a server error: that is
this side's problem, not the caller's.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.settings import Settings

log = logging.getLogger(__name__)

#: The longest reason logged for a refused request (claims in it are the caller's data).
MAX_REASON = 200


def bot_framework_authentication(settings: Settings) -> BotFrameworkAuthentication:
    """The authentication the adapter should use for these settings.

    Args:
        settings: Valid settings; their ``APP_*`` fields are read by botbuilder.

    Returns:
        botbuilder's ``ConfigurationBotFrameworkAuthentication`` for ``settings``, wrapped in
        :class:`ChannelAuthentication`.
    """
    return ChannelAuthentication(ConfigurationBotFrameworkAuthentication(settings))


class ChannelAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]  # untyped base
    """Delegates everything to ``inner``; any failed token check raises ``PermissionError``.

    Args:
        inner: The authentication that does the work (botbuilder's).
    """

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        """Validate the request's token (see botbuilder); raise ``PermissionError`` if bad."""
        try:
            return await self._inner.authenticate_request(activity, auth_header)
        except requests.RequestException:
            raise  # the signing keys could not be fetched: a server error, not a bad token
        except Exception as error:
            log.warning(
                "refused a %s activity from %s: %s",
                activity.type,
                activity.channel_id,
                _reason(error, auth_header),
            )
            raise PermissionError("missing or invalid Bot Framework token") from None

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        """As :meth:`authenticate_request`, for a streaming (web socket) connection."""
        try:
            return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        except requests.RequestException:
            raise
        except Exception as error:
            log.warning("refused a streaming connection: %s", _reason(error, auth_header))
            raise PermissionError("missing or invalid Bot Framework token") from None

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        """Validate a token sent by a channel outside an activity."""
        try:
            return await self._inner.authenticate_channel_request(auth_header)
        except requests.RequestException:
            raise
        except Exception as error:
            log.warning("refused a channel request: %s", _reason(error, auth_header))
            raise PermissionError("missing or invalid Bot Framework token") from None

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        """The inner authentication's connector factory."""
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        """The inner authentication's user token client."""
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> Any:
        """The inner authentication's skill client (unused by this bot)."""
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        """The inner authentication's outbound audience."""
        audience: str = self._inner.get_originating_audience()
        return audience


def _reason(error: Exception, auth_header: str | None) -> str:
    """Why a check failed, in one short line without the token."""
    # botbuilder passes several strings to PermissionError, which would print them as errno.
    text = " ".join([f"{type(error).__name__}:", *(str(arg) for arg in error.args)])
    token = (auth_header or "").partition(" ")[2].strip()
    if token:
        text = text.replace(token, "<token>")
    text = " ".join(text.split())  # one line: claims are the caller's data
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."

"""Where answer ratings go: a seam for the storage a later issue adds.

The bot only needs :class:`FeedbackSink`; :class:`LoggingFeedbackSink` is the default and
writes one log line per rating. A real store (a table, an analytics pipeline) implements the
same one-method protocol and is injected into :class:`bot.faq_bot.FaqBot`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rating:
    """One click on "helpful" or "not helpful".

    Attributes:
        entry_id: The rated FAQ entry.
        helpful: The user's verdict.
        channel_id: ``msteams``, ``emulator``...
        conversation_type: ``personal``, ``groupChat`` or ``channel`` (Teams), else ``None``.
        user_id: The channel's id of the user (pseudonymous, but personal data: store it only
            if the feature needs it).
        tenant_id: The Teams tenant, when known.
    """

    entry_id: str
    helpful: bool
    channel_id: str | None = None
    conversation_type: str | None = None
    user_id: str | None = None
    tenant_id: str | None = None


class FeedbackSink(Protocol):
    """Receives ratings. Implementations must not raise for a storage hiccup they can absorb."""

    async def record(self, rating: Rating) -> None:
        """Keep one rating."""


class LoggingFeedbackSink:
    """The default sink: one INFO line per rating, without the user's id."""

    async def record(self, rating: Rating) -> None:
        """Log the rating."""
        log.info(
            "feedback entry=%s helpful=%s channel=%s conversation=%s",
            rating.entry_id,
            rating.helpful,
            rating.channel_id,
            rating.conversation_type,
        )

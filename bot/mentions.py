"""The question a user typed, out of a Teams (or Emulator) message activity.

In channels and group chats Teams sends ``<at>Bot Name</at> question``: HTML-ish text (``&amp;``,
``&nbsp;``, ``\\r\\n``), one ``mention`` entity per ``<at>`` tag, and a ``text/html`` attachment
with the same message as HTML. Only the bot's own mention is removed (found through the
mention entities and the recipient id, with the recipient's name as a fallback); other
people's mentions keep their names, since "can <at>Jane</at> request an SME" is still a
question. botbuilder's ``TurnContext.remove_recipient_mention`` is not used: it deletes every
occurrence of the bot's name anywhere in the text and misses HTML-escaped names.
"""

from __future__ import annotations

import html
import re

from botbuilder.schema import Activity

from intents import clean_text

HTML_CONTENT_TYPE = "text/html"

_AT_TAG = re.compile(r"<at\b[^>]*>(.*?)</at>", re.IGNORECASE | re.DOTALL)
_HTML_MENTION = re.compile(
    r"<span\b[^>]*itemtype=\"http://schema\.skype\.com/Mention\"[^>]*>(.*?)</span>",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<[^>]*>")


def question_text(activity: Activity) -> str:
    """The user's words: the bot's own mention removed, markup decoded, whitespace collapsed.

    Falls back to the ``text/html`` attachment when ``text`` is empty. Returns ``""`` when
    there are no words (an attachment, a sticker, a card submit).
    """
    own = _own_names(activity)

    def unmention(match: re.Match[str]) -> str:
        name = match.group(1)
        return " " if _normal(name) in own else f" {_TAG.sub('', name)} "

    text = activity.text or ""
    if not text.strip():
        text = _HTML_MENTION.sub(unmention, _html_attachment(activity))
    return clean_text(_AT_TAG.sub(unmention, text))


def has_user_attachments(activity: Activity) -> bool:
    """True when the message carries files, images or cards, not just Teams' HTML copy."""
    return any(
        (attachment.content_type or "").lower() != HTML_CONTENT_TYPE
        for attachment in activity.attachments or []
    )


def _own_names(activity: Activity) -> set[str]:
    """The bot's names as they may appear inside ``<at>`` tags, normalised."""
    recipient = activity.recipient
    names: set[str] = set()
    if recipient is None:
        return names
    if recipient.name:
        names.add(_normal(recipient.name))
    for entity in activity.entities or []:
        if (getattr(entity, "type", None) or "").lower() != "mention":
            continue
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned") or {}
        if not isinstance(mentioned, dict) or mentioned.get("id") != recipient.id:
            continue
        if isinstance(mentioned.get("name"), str):
            names.add(_normal(mentioned["name"]))
        tagged = _AT_TAG.search(str(props.get("text") or ""))
        if tagged:
            names.add(_normal(tagged.group(1)))
    names.discard("")
    return names


def _html_attachment(activity: Activity) -> str:
    for attachment in activity.attachments or []:
        content_type = (attachment.content_type or "").lower()
        if content_type == HTML_CONTENT_TYPE and isinstance(attachment.content, str):
            return attachment.content
    return ""


def _normal(name: str) -> str:
    """A name compared case-, markup-, entity- and whitespace-insensitively."""
    return " ".join(html.unescape(_TAG.sub("", name)).casefold().split())

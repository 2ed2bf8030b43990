"""Input hygiene: turn whatever a user typed into a bounded, clean line of text.

Pure string work: no I/O. Used by the matcher (and therefore by the bot and the CLI) before
any matching, so every path sees the same text.
"""

from __future__ import annotations

import html
import re
import unicodedata

#: Longest question the matcher looks at, in characters. Longer input is cut at a word
#: boundary: the FAQ's longest question is under 200 characters, and a wall of pasted text
#: beyond this only adds noise (and work) to the match.
MAX_QUESTION_CHARS = 500

_MENTION = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_BLOCK_TAG = re.compile(r"</?(?:p|br|div|li|ul|ol|tr|td|h[1-6]|blockquote)\b[^>]{0,200}>", re.I)
_TAG = re.compile(r"<[a-z/!][^>]{0,200}>", re.IGNORECASE)
# Control and invisible formatting characters (zero-width, bidi, BOM); soft hyphens vanish.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SOFT_HYPHEN = "\u00ad"


def clean_text(text: str | None, *, max_chars: int = MAX_QUESTION_CHARS) -> str:
    """Return ``text`` as one trimmed line: markup and mentions gone, entities decoded.

    - ``<at>Name</at>`` mentions that are still present are dropped (the bot strips its own
      mention first; anybody else's name carries nothing to match on);
    - HTML tags are removed (block tags leave a space) and HTML entities decoded (Teams
      sends ``&amp;``, ``&nbsp;``);
    - control and formatting characters become spaces; whitespace runs collapse to one space;
    - the result is cut to ``max_chars`` at a word boundary.
    """
    if not text:
        return ""
    text = _MENTION.sub(" ", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text.replace(_SOFT_HYPHEN, ""))
    text = " ".join(text.split())
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars // 2 else cut
    return text


def fold(text: str) -> str:
    """Lower-case and strip accents (``Résumé`` -> ``resume``); curly quotes become straight."""
    if text.isascii():  # no accents, no curly quotes, nothing NFKD changes: the same result
        return text.lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"')
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

"""Write accepted alternates into ``faq_data/``, for a maintainer to review with ``git diff``.

Each suggested phrasing is inserted as one new line at the end of its entry's ``alternates:``
list, in the entries file that holds the entry. Nothing else of the file changes (comments,
quoting, key order and line widths stay byte for byte), so the diff is exactly the added
lines. A suggestion is kept only if, with it added,

- the knowledge base still passes the loader's validation (no duplicate phrasing, no phrasing
  of another entry...);
- the matcher, refitted on the new data, answers the phrasing with its entry;
- every phrasing that retrieved its own entry before still does;
- the entry has fewer than :data:`MAX_ALTERNATES` alternates (``faq_data/README.md``: the data
  tests want 8 to 14).

Files are replaced atomically, then the directory is loaded again with
:func:`intents.loader.load_faq` to prove it is valid.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.report.model import Suggestion
from intents.loader import (
    DATA_FILES,
    FaqDataError,
    build_knowledge_base,
    load_faq,
    load_smalltalk,
    parse_yaml,
)
from intents.matcher import TfidfMatcher, Thresholds
from intents.models import Decision, KnowledgeBase
from intents.smalltalk import SmallTalkDetector

log = logging.getLogger(__name__)

#: The most alternates an entry may have (``faq_data/README.md``).
MAX_ALTERNATES = 14


class LayoutError(ValueError):
    """The entries file is not laid out as expected; the alternate must be added by hand."""


@dataclass(slots=True)
class ApplyResult:
    """What ``--apply-suggestions`` did.

    Attributes:
        added: The suggestions written, with the file each went to.
        skipped: The suggestions left out, each with the reason.
    """

    added: list[tuple[Suggestion, Path]] = field(default_factory=list)
    skipped: list[tuple[Suggestion, str]] = field(default_factory=list)

    def lines(self, data_dir: Path) -> list[str]:
        """A human summary for the command line."""
        lines = [f"added '{s.phrasing}' to {s.entry_id} ({path.name})" for s, path in self.added]
        lines += [f"skipped '{s.phrasing}' for {s.entry_id}: {why}" for s, why in self.skipped]
        if self.added:
            lines.append(f"review with: git diff -- {data_dir}")
        else:
            lines.append("nothing written")
        return lines


def apply_suggestions(
    data_dir: Path, suggestions: Sequence[Suggestion], thresholds: Thresholds | None = None
) -> ApplyResult:
    """Add the suggested alternates to the entries files of ``data_dir``.

    Args:
        data_dir: The knowledge-base directory (``FAQ_DATA_DIR``).
        suggestions: What to add, best first (an earlier one wins a conflict).
        thresholds: The matcher's thresholds, as the bot runs it.

    Returns:
        What was added and what was skipped, and why.

    Raises:
        FaqDataError: The data was invalid before anything was added, or (which the checks
            make impossible) after.
    """
    result = ApplyResult()
    if not suggestions:
        return result
    texts = {
        path.name: path.read_text(encoding="utf-8") for path in sorted(data_dir.glob("*.yaml"))
    }
    smalltalk = load_smalltalk()
    knowledge = load_faq(data_dir)
    matcher = TfidfMatcher(thresholds=thresholds).fit(knowledge, smalltalk)
    retrieving = [
        (entry.id, phrasing)
        for entry in knowledge
        for phrasing in entry.phrasings
        if _answers(matcher, phrasing, entry.id)
    ]
    changed: set[str] = set()
    for suggestion in suggestions:
        owner = _file_of(suggestion.entry_id, texts)
        if owner is None:
            result.skipped.append((suggestion, "the entry is not in the FAQ data"))
            continue
        try:
            new_text = insert_alternate(texts[owner], suggestion.entry_id, suggestion.phrasing)
        except LayoutError as error:
            result.skipped.append((suggestion, str(error)))
            continue
        why = _problem({**texts, owner: new_text}, suggestion, thresholds, smalltalk, retrieving)
        if why is not None:
            result.skipped.append((suggestion, why))
            continue
        texts[owner] = new_text
        changed.add(owner)
        retrieving.append((suggestion.entry_id, suggestion.phrasing))
        result.added.append((suggestion, data_dir / owner))
    for name in sorted(changed):
        _write_atomically(data_dir / name, texts[name])
    if changed:
        load_faq(data_dir)  # proves the written files load; raises FaqDataError otherwise
        log.info("added %d alternates to %s", len(result.added), ", ".join(sorted(changed)))
    return result


def insert_alternate(text: str, entry_id: str, phrasing: str) -> str:
    """``text`` (an entries file) with ``phrasing`` appended to ``entry_id``'s alternates.

    Raises:
        LayoutError: The entry or its alternates list is not where a block-style file
            written by the importer (or by hand in the same style) has them.
    """
    lines = text.splitlines(keepends=True)
    start = _entry_start(lines, entry_id)
    item_indent = len(lines[start]) - len(lines[start].lstrip(" "))
    key_indent = item_indent + 2
    end = _block_end(lines, start + 1, item_indent)
    newline = "\r\n" if lines[start].endswith("\r\n") else "\n"
    scalar = _scalar(phrasing)
    key = re.compile(rf"^ {{{key_indent}}}alternates:[ \t]*(.*?)[ \t]*(?:#.*)?$")
    for index in range(start + 1, end):
        found = key.match(lines[index].rstrip("\r\n"))
        if found is None:
            continue
        rest = found.group(1)
        if rest == "[]":
            lines[index] = " " * key_indent + "alternates:" + newline
            lines.insert(index + 1, f"{' ' * (key_indent + 2)}- {scalar}{newline}")
        elif rest:
            raise LayoutError(f"{entry_id}: alternates are a flow list; add the phrasing by hand")
        else:
            last, indent = _last_item(lines, index + 1, end, key_indent)
            lines.insert(last + 1, f"{' ' * indent}- {scalar}{newline}")
        break
    else:
        related = re.compile(rf"^ {{{key_indent}}}related:")
        at = next((i for i in range(start + 1, end) if related.match(lines[i])), None)
        if at is None:
            at = _last_content(lines, start, end) + 1
        block = f"{' ' * key_indent}alternates:{newline}{' ' * (key_indent + 2)}- {scalar}{newline}"
        lines.insert(at, block)
    updated = "".join(lines)
    _check_insertion(text, updated, entry_id, phrasing)
    return updated


def _entry_start(lines: Sequence[str], entry_id: str) -> int:
    pattern = re.compile(rf"^ *- id:[ \t]*(['\"]?){re.escape(entry_id)}\1[ \t]*(?:#.*)?$")
    for index, line in enumerate(lines):
        if pattern.match(line.rstrip("\r\n")):
            return index
    raise LayoutError(f"{entry_id}: no '- id: {entry_id}' line; add the phrasing by hand")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: Sequence[str], begin: int, item_indent: int) -> int:
    """The index after the last line of the entry that starts at ``begin - 1``."""
    for index in range(begin, len(lines)):
        if _is_content(lines[index]) and _indent(lines[index]) <= item_indent:
            return index
    return len(lines)


def _last_content(lines: Sequence[str], begin: int, end: int) -> int:
    return max(i for i in range(begin, end) if _is_content(lines[i]))


def _last_item(lines: Sequence[str], begin: int, end: int, key_indent: int) -> tuple[int, int]:
    """The last line of the list that starts at ``begin``, and its items' indentation."""
    last, indent = -1, key_indent + 2
    for index in range(begin, end):
        line = lines[index]
        if not _is_content(line):
            continue
        here = _indent(line)
        is_item = line.lstrip(" ").startswith("- ")
        if here > key_indent or (here == key_indent and is_item):
            if last < 0 and is_item:
                indent = here
            last = index
        else:
            break
    if last < 0:
        raise LayoutError("an empty 'alternates:' key; add the phrasing by hand")
    return last, indent


def _scalar(phrasing: str) -> str:
    """``phrasing`` as a one-line YAML scalar (quoted only when YAML needs it)."""
    dumped = yaml.safe_dump([phrasing], allow_unicode=True, width=4096, default_flow_style=False)
    line = dumped.split("\n", 1)[0]
    if not line.startswith("- ") or dumped.count("\n") > 2:
        raise LayoutError(f"{phrasing!r} does not fit on one YAML line")
    return line[2:]


def _check_insertion(before: str, after: str, entry_id: str, phrasing: str) -> None:
    """The edit changed exactly the entry's alternates, by appending ``phrasing``."""
    old, problem_old = parse_yaml("before", before)
    new, problem_new = parse_yaml("after", after)
    if problem_old or problem_new or not isinstance(old, dict) or not isinstance(new, dict):
        raise LayoutError(f"{entry_id}: the file does not parse after the edit")
    expected = _with_alternate(old, entry_id, phrasing)
    if new != expected:
        raise LayoutError(f"{entry_id}: the file's layout is unexpected; add the phrasing by hand")


def _with_alternate(document: Mapping[str, Any], entry_id: str, phrasing: str) -> dict[str, Any]:
    entries = []
    for entry in document.get("entries") or []:
        if isinstance(entry, dict) and entry.get("id") == entry_id:
            entry = {**entry, "alternates": [*(entry.get("alternates") or []), phrasing]}
        entries.append(entry)
    return {**document, "entries": entries}


def _file_of(entry_id: str, texts: Mapping[str, str]) -> str | None:
    for name, text in texts.items():
        if name in DATA_FILES:
            continue
        document, problem = parse_yaml(name, text)
        if problem is None and isinstance(document, dict):
            for entry in document.get("entries") or []:
                if isinstance(entry, dict) and entry.get("id") == entry_id:
                    return name
    return None


def _problem(
    texts: Mapping[str, str],
    suggestion: Suggestion,
    thresholds: Thresholds | None,
    smalltalk: SmallTalkDetector,
    retrieving: Sequence[tuple[str, str]],
) -> str | None:
    """Why adding the suggestion (already in ``texts``) is refused, or ``None``."""
    documents = {name: parse_yaml(name, text)[0] for name, text in texts.items()}
    try:
        knowledge: KnowledgeBase = build_knowledge_base(documents)
    except FaqDataError as error:
        return "the FAQ data would not load: " + "; ".join(error.problems)
    entry = knowledge.get(suggestion.entry_id)
    if entry is not None and len(entry.alternates) > MAX_ALTERNATES:
        return f"the entry already has {MAX_ALTERNATES} alternates; replace one by hand"
    matcher = TfidfMatcher(thresholds=thresholds).fit(knowledge, smalltalk)
    if not _answers(matcher, suggestion.phrasing, suggestion.entry_id):
        got = matcher.match(suggestion.phrasing)
        best = got.best.entry.id if got.best else "nothing"
        return f"the matcher would still not answer it with its entry ({got.decision}: {best})"
    for entry_id, phrasing in retrieving:
        if not _answers(matcher, phrasing, entry_id):
            return f"'{phrasing}' would no longer retrieve {entry_id}"
    return None


def _answers(matcher: TfidfMatcher, text: str, entry_id: str) -> bool:
    result = matcher.match(text)
    return (
        result.decision == Decision.ANSWER
        and result.best is not None
        and result.best.entry.id == entry_id
    )


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` next to ``target`` under a temporary name, then rename it over."""
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

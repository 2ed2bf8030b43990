"""Import a Partner Site FAQ page into ``faq_data/`` and keep it in step on re-import.

``import_page`` parses the page (:mod:`intents.page`), merges it with the YAML file already
in the data directory, checks the result with the loader's own validation and only then
replaces the file atomically. Hand-curated data survives a re-import: ids, alternates,
related ids, ``answers`` kinds, display questions fixed by hand (the page's wording kept in
``source_question``) and link titles and kinds chosen by hand for the same URL. The page owns
the rest: which questions exist, their sections, answers and links.

Besides :mod:`intents.loader`, this is the only module that touches disk. It must not be
imported by the bot: it is a maintainer's tool, run through ``python -m intents import``.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from intents.analyzer import STOP_WORDS
from intents.hygiene import fold
from intents.loader import (
    DATA_FILES,
    ENTRY_KEYS,
    LINK_KEYS,
    SOURCE_KEYS,
    FaqDataError,
    build_knowledge_base,
    parse_yaml,
)
from intents.page import FaqPage, PageFormatError, PageLink, PageQuestion, parse_page

__all__ = ["FaqDataError", "ImportReport", "PageFormatError", "import_page"]

log = logging.getLogger(__name__)

#: How close (difflib ratio) a reworded question must be to a stored one to keep its id.
FUZZY_MATCH = 0.85


@dataclass(frozen=True, slots=True)
class _LinkRule:
    """Links whose URL matches ``pattern`` get ``kind`` and, unless ``None``, ``title``."""

    pattern: re.Pattern[str]
    kind: str
    title: str | None = None


def _rule(pattern: str, kind: str, title: str | None = None) -> _LinkRule:
    return _LinkRule(re.compile(pattern, re.IGNORECASE), kind, title)


#: First match wins. Titles are button captions: the page's own link texts are often poor
#: ("Microsoft" for the GDPR mailbox, "access resources"). ``None`` keeps the link text.
LINK_RULES: tuple[_LinkRule, ...] = (
    _rule(r"^mailto:.*gdpr", "gdpr-contact", "Email the GDPR team"),
    _rule(r"ftop\.microsoft\.com", "ftop", "Open FTOP"),
    _rule(r"FRPHubSMERequestProcess", "sme-request", "Request an SME"),
    _rule(r"FRPHubFTCResourceRequest", "sme-request", "FTC Resource Request page"),
    _rule(r"subject-matter-expert", "guide", "SME Request Guide"),
    _rule(r"partner\.microsoft\.com", "partner-center", "Partner Center"),
    _rule(r"yammer", "community", "FRP Yammer group"),
    _rule(r"HeadsUpNewsletter", "newsletter", "Heads Up newsletter"),
    _rule(r"FRPCustomerRegistrationVideo", "video", "Customer Registration video"),
    _rule(r"FRPHubCollaborationTeamsPartnerCustomerGuide", "guide", "Customer Registration guide"),
    _rule(r"operations-guide", "guide", "FastTrack Ready Operations Guide"),
    _rule(r"FRPHubOpportunitiesGDPR", "guide", "GDPR opportunity resources"),
    _rule(r"video", "video"),
    _rule(r"guide|playbook|partner-docs\.|learn\.microsoft\.com|docs\.microsoft\.com", "guide"),
)

#: Link texts that say nothing on a button; such links are titled from their URL instead.
POOR_LINK_TEXTS = frozenset(
    {"here", "click here", "this", "link", "this link", "microsoft", "access resources", "more"}
)

#: Id prefixes per section (a section whose questions all share a topic).
SECTION_PREFIXES: Mapping[str, str] = {"Engagement Start Date": "esd"}

#: Words left out of generated ids: the matcher's stop words, and a few that say nothing in
#: a slug ("go", "ever", "since", "up").
_SLUG_STOP_WORDS = STOP_WORDS | {"go", "ever", "since", "up"}
_SLUG_WORDS = 4
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

_HEADER = """\
# Imported from {page} by `python -m intents import` (see faq_data/README.md).
# The page owns questions, sections, answers and link URLs: edit those on the page and
# re-import. Hand edits to ids, alternates, related, answers, display questions (keep the
# page's wording in source_question) and link titles and kinds survive a re-import.
"""


@dataclass(slots=True)
class ImportReport:
    """What an import did to the entries file.

    Attributes:
        path: The YAML file written (or left as it was).
        added: Ids of entries new on the page.
        changed: Ids of entries whose section, question, answer, links or related changed.
        removed: Ids of entries no longer on the page (dropped from the file).
        unchanged: How many entries stayed exactly as they were.
        written: Whether the file was (re)written; ``False`` when nothing changed.
        changes: For each changed id, the fields that changed.
        questions: The page question of each added and removed id.
        notes: Other things worth telling the maintainer (source dates, ignored page text).
    """

    path: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    written: bool = False
    changes: dict[str, list[str]] = field(default_factory=dict)
    questions: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A human summary for the command line, one line per fact."""
        total = len(self.added) + len(self.changed) + self.unchanged
        lines = [
            f"{self.path.name}: {total} entries; {len(self.added)} added, "
            f"{len(self.changed)} changed, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged"
        ]
        lines += [f"  added    {i}: {self.questions.get(i, '')}" for i in self.added]
        lines += [f"  changed  {i} ({', '.join(self.changes.get(i, []))})" for i in self.changed]
        lines += [f"  removed  {i}: {self.questions.get(i, '')}" for i in self.removed]
        lines += [f"  note     {note}" for note in self.notes]
        if self.added:
            lines.append("  next: give the added entries ids, alternates and related ids")
        lines.append(f"wrote {self.path}" if self.written else f"{self.path} already up to date")
        return lines


def import_page(page: Path, data_dir: Path) -> ImportReport:
    """Import (or re-import) a Partner Site FAQ page into ``data_dir``.

    The entries go to ``data_dir/<page stem without -faqs>.yaml``. Everything is built and
    validated in memory first; the file is then replaced atomically, or left untouched when
    nothing changed or anything is wrong.

    Args:
        page: The page's markdown file.
        data_dir: The knowledge-base directory (``faq_data/``).

    Returns:
        What was added, changed and removed.

    Raises:
        PageFormatError: The page is malformed (the message names the line).
        FaqDataError: The existing YAML cannot be read, or the result would not load.
    """
    parsed = parse_page(page.read_text(encoding="utf-8"), name=page.name)
    target = data_dir / f"{page.stem.removesuffix('-faqs')}.yaml"
    documents = _read_documents(data_dir)
    existing = documents.pop(target.name, None)
    report = ImportReport(path=target)
    report.notes += parsed.warnings
    new_document = _merge(parsed, page.name, existing, target.name, documents, report)

    everything = dict(sorted({**documents, target.name: new_document}.items()))
    build_knowledge_base(everything)  # raises FaqDataError before anything is written

    if new_document != existing:
        _write_atomically(target, _HEADER.format(page=page.name) + dump_yaml(new_document))
        report.written = True
    log.info("imported %s into %s: %s", page.name, target, "; ".join(report.lines()[:1]))
    return report


def _read_documents(data_dir: Path) -> dict[str, Any]:
    documents: dict[str, Any] = {}
    problems: list[str] = []
    for path in sorted(data_dir.glob("*.yaml")):
        document, problem = parse_yaml(path.name, path.read_text(encoding="utf-8"))
        if problem is not None:
            problems.append(problem)
        else:
            documents[path.name] = document
    if problems:
        raise FaqDataError(problems)
    return documents


def _merge(
    parsed: FaqPage,
    page_name: str,
    existing: Any,
    file_name: str,
    others: Mapping[str, Any],
    report: ImportReport,
) -> dict[str, Any]:
    old_source, old_entries = _existing_parts(file_name, existing)
    pairs = _pair_questions(parsed.questions, old_entries)
    matched_ids = {id(old) for old in pairs.values()}
    removed = [old for old in old_entries if id(old) not in matched_ids]
    removed_ids = {str(old.get("id")) for old in removed}

    taken = {str(e.get("id")) for e in old_entries} | _ids_of_other_files(others)
    entries: list[dict[str, Any]] = []
    for number, question in enumerate(parsed.questions):
        old = pairs.get(number)
        if old is None:
            entry_id = _new_id(question, taken)
            taken.add(entry_id)
            entry = _entry(entry_id, question, None, removed_ids)
            report.added.append(entry_id)
            report.questions[entry_id] = question.question
        else:
            entry = _entry(str(old["id"]), question, old, removed_ids)
            differences = [
                key for key in _COMPARED if (old.get(key) or None) != (entry.get(key) or None)
            ]
            if differences:
                report.changed.append(entry["id"])
                report.changes[entry["id"]] = differences
            else:
                report.unchanged += 1
        entries.append(entry)
    for old in removed:
        report.removed.append(str(old.get("id")))
        report.questions[str(old.get("id"))] = str(old.get("question", ""))

    source = _source(parsed, page_name, old_source)
    for key in ("title", "published", "refreshed"):
        if old_source is not None and old_source.get(key) != source.get(key):
            report.notes.append(f"source {key}: {old_source.get(key)} -> {source.get(key)}")
    return {"source": source, "entries": entries}


#: Fields whose difference makes an entry "changed" (alternates are never touched).
_COMPARED = ("section", "question", "source_question", "answer", "links", "related")


def _existing_parts(
    file_name: str, existing: Any
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    if existing is None:
        return None, []
    entries = existing.get("entries") if isinstance(existing, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
    ):
        raise FaqDataError(
            [f"{file_name}: cannot merge into it: expected an 'entries' list of entries with ids"]
        )
    source = existing.get("source")
    return (source if isinstance(source, dict) else None), entries


def _pair_questions(
    questions: Sequence[PageQuestion], old_entries: Sequence[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Page question index -> the stored entry it continues (exact wording, then fuzzy)."""
    pairs: dict[int, dict[str, Any]] = {}
    free = list(old_entries)
    for number, question in enumerate(questions):
        wording = _fold(question.question)
        for old in free:
            if wording in _stored_wordings(old):
                pairs[number] = old
                free.remove(old)
                break
    candidates = sorted(
        (
            (max(_ratio(_fold(q.question), w) for w in _stored_wordings(old)), number, index)
            for number, q in enumerate(questions)
            if number not in pairs
            for index, old in enumerate(free)
        ),
        reverse=True,
    )
    used: set[int] = set()
    for ratio, number, index in candidates:
        if ratio < FUZZY_MATCH or number in pairs or index in used:
            continue
        pairs[number] = free[index]
        used.add(index)
    return pairs


def _stored_wordings(old: Mapping[str, Any]) -> list[str]:
    return [_fold(str(old[key])) for key in ("source_question", "question") if old.get(key)]


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _entry(
    entry_id: str,
    question: PageQuestion,
    old: Mapping[str, Any] | None,
    removed_ids: set[str],
) -> dict[str, Any]:
    """The entry for ``question``, keeping the hand-curated parts of ``old``."""
    display, source_question = question.question, None
    if old is not None:
        stored_question = str(old.get("question") or "")
        stored_source = old.get("source_question")
        if isinstance(stored_source, str) and _fold(stored_source) == _fold(question.question):
            display, source_question = stored_question, question.question
        elif _fold(stored_question) == _fold(question.question):
            display = stored_question
    old_links = {
        str(link.get("url")): link
        for link in (old.get("links") or [] if old is not None else [])
        if isinstance(link, dict)
    }
    context = f"{question.question} {question.answer}"
    entry: dict[str, Any] = {"id": entry_id, "section": question.section, "question": display}
    if source_question is not None:
        entry["source_question"] = source_question
    entry["answer"] = _Literal(question.answer)
    entry["links"] = [_link(link, old_links.get(link.url), context) for link in question.links]
    entry["alternates"] = list(old.get("alternates") or []) if old is not None else []
    related = list(old.get("related") or []) if old is not None else []
    entry["related"] = [target for target in related if target not in removed_ids]
    if old is not None and old.get("answers"):
        entry["answers"] = list(old["answers"])
    return entry


def _link(link: PageLink, old: Mapping[str, Any] | None, context: str) -> dict[str, str]:
    if old is not None and isinstance(old.get("title"), str):
        kind = old.get("kind")
        return {"title": old["title"], "url": link.url, "kind": str(kind or "other")}
    kind, title = link_kind_and_title(link.text, link.url, context=context)
    return {"title": title, "url": link.url, "kind": kind}


def link_kind_and_title(text: str, url: str, *, context: str = "") -> tuple[str, str]:
    """The kind and button title of a link, from :data:`LINK_RULES`.

    Args:
        text: The page's link text.
        url: The link's URL.
        context: The question and answer around it (a ``mailto:`` in a GDPR answer is the
            GDPR contact even when the address does not say so).

    Returns:
        ``(kind, title)``.
    """
    for rule in LINK_RULES:
        if rule.pattern.search(url):
            return rule.kind, rule.title or _button_title(text, url)
    if url.lower().startswith("mailto:"):
        if "gdpr" in context.lower():
            return "gdpr-contact", "Email the GDPR team"
        return "other", f"Email {url[len('mailto:') :].split('?')[0]}"
    return "other", _button_title(text, url)


def _button_title(text: str, url: str) -> str:
    cleaned = " ".join(text.split()).strip(" .:")
    if cleaned and cleaned.casefold() not in POOR_LINK_TEXTS:
        return cleaned[:1].upper() + cleaned[1:]
    tail = url.rstrip("/").rsplit("/", 1)[-1].split(".")[0].split("?")[0]
    words = _CAMEL.findall(tail.replace("-", " ").replace("_", " ")) or [tail]
    words = [w for w in words if w.upper() not in {"FRP", "HUB"}] or words
    return " ".join(words)[:1].upper() + " ".join(words)[1:]


def _new_id(question: PageQuestion, taken: set[str]) -> str:
    """A short kebab-case id from the question's significant words, unique among ``taken``."""
    prefix = SECTION_PREFIXES.get(question.section)
    section_words = set(_WORD.findall(question.section.lower())) if prefix else set()
    folded = _fold(question.question).replace("'", "")
    significant = [
        w for w in _WORD.findall(folded) if w not in _SLUG_STOP_WORDS and w not in section_words
    ]
    words = ([prefix] if prefix else []) + significant[:_SLUG_WORDS]
    base = "-".join(words) or "question"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _ids_of_other_files(others: Mapping[str, Any]) -> set[str]:
    ids: set[str] = set()
    for name, document in others.items():
        if name in DATA_FILES or not isinstance(document, dict):
            continue
        for entry in document.get("entries") or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                ids.add(entry["id"])
    return ids


def _source(parsed: FaqPage, page_name: str, old: Mapping[str, Any] | None) -> dict[str, Any]:
    source: dict[str, Any] = {"title": parsed.title, "page": page_name}
    if old is not None and isinstance(old.get("url"), str):
        source["url"] = old["url"]  # the page does not know its own address
    source["published"] = parsed.published
    if parsed.refreshed is not None:
        source["refreshed"] = parsed.refreshed
    return source


def _fold(text: str) -> str:
    """Whitespace-, quote-, accent- and case-insensitive wording, for recognising a question."""
    return " ".join(fold(text).split())


class _Literal(str):
    """A string always written as a ``|-`` literal block (answers)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    """Block-style YAML for humans: indented lists, literal multi-line text, no folding."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if isinstance(value, _Literal) or "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


def _represent_ordered(dumper: yaml.SafeDumper, value: dict[Any, Any]) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items())


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Literal, _represent_str)
_Dumper.add_representer(dict, _represent_ordered)


def dump_yaml(document: Mapping[str, Any]) -> str:
    """``document`` as block-style YAML, keys in the schema's order.

    Args:
        document: An entries document (``source`` and ``entries``).

    Returns:
        The YAML text.
    """
    ordered: dict[str, Any] = {}
    if "source" in document:
        ordered["source"] = _ordered(document["source"], SOURCE_KEYS)
    ordered["entries"] = []
    for raw in document.get("entries") or []:
        entry = _ordered(raw, ENTRY_KEYS)
        if "links" in entry:
            entry["links"] = [_ordered(link, LINK_KEYS) for link in entry["links"] or []]
        ordered["entries"].append(entry)
    return yaml.dump(
        ordered,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
        indent=2,
    )


def _ordered(mapping: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    known = {key: mapping[key] for key in keys if key in mapping}
    return {**known, **{k: v for k, v in mapping.items() if k not in known}}


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``target``, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

"""Read and validate the knowledge base in ``faq_data/*.yaml``.

This is the one module of the domain (with :mod:`intents.importer`) that touches disk. It
reads with ``yaml.safe_load`` only, checks everything it reads, and either returns a complete
:class:`~intents.models.KnowledgeBase` or raises one :class:`FaqDataError` that lists every
problem of every file, each naming its file and entry, so a broken knowledge base stops the
bot at start-up with a single message instead of surfacing on the first user question.

It must not match, score or format anything: that belongs to the matcher and the bot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from intents.models import (
    LINK_KINDS,
    FaqEntry,
    KnowledgeBase,
    Link,
    OutOfScopeTopic,
    Source,
    SynonymGroup,
)
from intents.smalltalk import SmallTalkDetector

log = logging.getLogger(__name__)

#: The file of synonym groups; every other ``*.yaml`` file of the directory holds entries.
SYNONYMS_FILE = "synonyms.yaml"

#: The file of section topics (section -> terms a question about that section names).
TOPICS_FILE = "topics.yaml"

#: The file of neighbouring topics the FAQ does not answer (a "none" class for the matcher).
OUT_OF_SCOPE_FILE = "out_of_scope.yaml"

#: The file of kinds of question (kind -> the words that ask it: who, when, how much...).
ASKS_FILE = "asks.yaml"

#: Files of the directory that hold no entries.
DATA_FILES = (SYNONYMS_FILE, TOPICS_FILE, OUT_OF_SCOPE_FILE, ASKS_FILE)

#: Keys of one out-of-scope topic.
OUT_OF_SCOPE_KEYS = ("id", "about", "phrasings")

#: The small-talk phrases shipped with the package (code data, not knowledge-base content).
SMALLTALK_FILE = Path(__file__).with_name("smalltalk.yaml")

#: Keys of an entries file, of its ``source`` block, of an entry and of a link, in the order
#: the importer writes them.
FILE_KEYS = ("source", "entries")
SOURCE_KEYS = ("title", "page", "url", "published", "refreshed")
ENTRY_KEYS = (
    "id",
    "section",
    "question",
    "source_question",
    "answer",
    "links",
    "alternates",
    "related",
    "answers",
)
LINK_KEYS = ("title", "url", "kind")

_REQUIRED_ENTRY_KEYS = ("id", "section", "question", "answer")
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URL_SCHEMES = ("https://", "mailto:")
_WORDS = re.compile(r"[^\W_]+")


class FaqDataError(ValueError):
    """The FAQ data cannot be used; the message lists every problem, one per line.

    Attributes:
        problems: Each problem on its own, naming the file and, where there is one, the entry.
    """

    #: What the first line of the message says the problems are in.
    subject = "the FAQ data"

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems: list[str] = [problems] if isinstance(problems, str) else list(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in {self.subject}:"
        super().__init__("\n".join([heading, *(f"- {p}" for p in self.problems)]))


def load_faq(directory: Path) -> KnowledgeBase:
    """Load every ``*.yaml`` file of ``directory`` into one knowledge base.

    Files are read in name order; ``synonyms.yaml`` holds the synonym groups and every other
    file holds entries (and optionally their ``source``). Entries keep file order.

    Args:
        directory: The folder of YAML files, usually ``faq_data/``.

    Returns:
        The entries of all files with the synonym groups.

    Raises:
        FaqDataError: Listing every problem found in every file.
    """
    problems: list[str] = []
    paths = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    if not paths:
        raise FaqDataError([f"{directory}: no *.yaml files found"])
    documents: dict[str, Any] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        document, problem = parse_yaml(path.name, text)
        if problem is not None:
            problems.append(problem)
        else:
            documents[path.name] = document
    try:
        knowledge = build_knowledge_base(documents)
    except FaqDataError as error:
        problems += error.problems
    if problems:
        raise FaqDataError(problems)
    log.info(
        "loaded %d FAQ entries and %d synonym groups from %s",
        len(knowledge.entries),
        len(knowledge.synonyms),
        directory,
    )
    return knowledge


def load_smalltalk(path: Path = SMALLTALK_FILE) -> SmallTalkDetector:
    """Load the small-talk phrases (``kinds:`` name -> phrases, optional ``filler:`` words).

    Args:
        path: The small-talk YAML file; the packaged ``intents/smalltalk.yaml`` by default.

    Returns:
        A detector for those phrases.

    Raises:
        FaqDataError: Listing every problem of the file.
    """
    document = load_yaml_document(path)
    problems: list[str] = []
    unknown = sorted(str(key) for key in document if key not in ("kinds", "filler"))
    if unknown:
        problems.append(f"{path.name}: unknown top-level keys {_quoted(unknown)}")
    kinds = document.get("kinds")
    phrases: dict[str, tuple[str, ...]] = {}
    if not isinstance(kinds, dict) or not kinds:
        problems.append(f"{path.name}: expected a 'kinds' mapping of kind -> phrases")
    else:
        for kind in kinds:
            phrases[str(kind)] = _strings(f"{path.name} kind {kind}", kinds, kind, problems)
            if not phrases[str(kind)]:
                problems.append(f"{path.name} kind {kind}: needs at least one phrase")
    filler = _strings(f"{path.name} filler", document, "filler", problems)
    if problems:
        raise FaqDataError(problems)
    return SmallTalkDetector(phrases, filler)


def load_yaml_document(path: Path) -> dict[str, Any]:
    """Read one YAML file whose top level is a mapping (an evaluation set, small talk...).

    Args:
        path: The file.

    Returns:
        The parsed mapping.

    Raises:
        FaqDataError: The file is missing, is not valid YAML or is not a mapping.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FaqDataError([f"{path}: cannot read: {error.strerror or error}"]) from None
    document, problem = parse_yaml(path.name, text)
    if problem is not None:
        raise FaqDataError([problem])
    if not isinstance(document, dict):
        raise FaqDataError([f"{path.name}: expected a mapping at the top level"])
    return document


def parse_yaml(name: str, text: str) -> tuple[Any, str | None]:
    """Parse one YAML document with ``yaml.safe_load``.

    Args:
        name: The file name, for the problem message.
        text: The file's content.

    Returns:
        ``(document, None)``, or ``(None, problem)`` when the text is not valid YAML; the
        problem names the line.
    """
    try:
        return yaml.safe_load(text), None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        reason = error.problem or error.context or "invalid YAML"
        return None, f"{name}: YAML syntax error at {where}: {reason}"
    except yaml.YAMLError as error:
        return None, f"{name}: YAML error: {error}"
    except ValueError as error:
        # safe_load builds dates itself, and an impossible one (2020-13-45) fails here.
        return None, f"{name}: {_bad_timestamp_line(text)}invalid value: {error}"


def build_knowledge_base(documents: Mapping[str, Any]) -> KnowledgeBase:
    """Validate parsed YAML documents and turn them into a knowledge base.

    The importer calls this on the documents it is about to write, so it never writes a file
    that :func:`load_faq` would refuse.

    Args:
        documents: Parsed YAML by file name, in the order the entries should keep.

    Returns:
        The knowledge base.

    Raises:
        FaqDataError: Listing every problem.
    """
    problems: list[str] = []
    located: list[tuple[str, FaqEntry]] = []
    groups: list[tuple[str, SynonymGroup]] = []
    topics: dict[str, tuple[str, ...]] = {}
    out_of_scope: list[OutOfScopeTopic] = []
    asks: dict[str, tuple[str, ...]] = {}
    for name, document in documents.items():
        if name == SYNONYMS_FILE:
            groups += _synonym_groups(name, document, problems)
        elif name == TOPICS_FILE:
            topics = _topics(name, document, problems)
        elif name == ASKS_FILE:
            asks = _asks(name, document, problems)
        elif name == OUT_OF_SCOPE_FILE:
            out_of_scope = _out_of_scope(name, document, problems)
        else:
            located += _entries_file(name, document, problems)
    problems += _cross_entry_problems(located)
    problems += _out_of_scope_problems(out_of_scope, located)
    for where, entry in located:
        unknown_kinds = [kind for kind in entry.answers if kind not in asks]
        if unknown_kinds:
            problems.append(
                f"{where}: answers {_quoted(unknown_kinds)} not in {ASKS_FILE} "
                f"(one of {', '.join(asks) or 'nothing: the file is missing'})"
            )
    problems += _cross_group_problems(groups)
    sections = {entry.section for _, entry in located}
    for section in topics:
        if section not in sections:
            problems.append(f"{TOPICS_FILE}: section {section!r} has no entries")
    if problems:
        raise FaqDataError(problems)
    return KnowledgeBase(
        entries=tuple(entry for _, entry in located),
        synonyms=tuple(group for _, group in groups),
        topics=topics,
        asks=asks,
        out_of_scope=tuple(out_of_scope),
    )


def _asks(name: str, document: Any, problems: list[str]) -> dict[str, tuple[str, ...]]:
    raw = _top_level_mapping(name, document, "asks", "kind -> words", problems)
    asks: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for kind, triggers in raw.items():
        where = f"{name} kind {kind!r}"
        if not isinstance(kind, str) or not _KEBAB.fullmatch(kind):
            problems.append(f"{where}: the kind must be kebab-case (like 'how-much')")
            continue
        clean = _text_list(where, triggers, "words", problems)
        if clean is None:
            continue
        for trigger in clean:
            key = _term_key(trigger)
            if key in owner:
                problems.append(f"{where}: {trigger!r} already asks {owner[key]!r}")
            owner.setdefault(key, kind)
        asks[kind] = tuple(clean)
    return asks


def _out_of_scope(name: str, document: Any, problems: list[str]) -> list[OutOfScopeTopic]:
    raw = document.get("out_of_scope") if isinstance(document, dict) else None
    if not isinstance(raw, list):
        problems.append(f"{name}: expected a top-level 'out_of_scope' list of topics")
        return []
    unknown = sorted(str(key) for key in document if key != "out_of_scope")
    if unknown:
        problems.append(f"{name}: unknown top-level keys {_quoted(unknown)}")
    found: list[OutOfScopeTopic] = []
    for index, item in enumerate(raw):
        raw_id = item.get("id") if isinstance(item, dict) else None
        label = f" ({raw_id})" if isinstance(raw_id, str) and raw_id.strip() else ""
        where = f"{name} topic {index}{label}"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a mapping with id, about and phrasings")
            continue
        unknown = sorted(str(key) for key in item if key not in OUT_OF_SCOPE_KEYS)
        if unknown:
            problems.append(f"{where}: unknown keys {_quoted(unknown)}")
        topic_id = _text(where, item, "id", problems, required=True)
        if topic_id is not None and not _KEBAB.fullmatch(topic_id):
            problems.append(f"{where}: id {topic_id!r} is not kebab-case (like 'sign-in-problems')")
        about = _text(where, item, "about", problems, required=True)
        listed = len(problems)
        phrasings = _strings(where, item, "phrasings", problems)
        if "phrasings" not in item:
            problems.append(f"{where}: missing 'phrasings'")
        elif not phrasings and len(problems) == listed:
            problems.append(f"{where}: 'phrasings' is empty")
        for phrasing in _duplicates(phrasings):
            problems.append(f"{where}: duplicate phrasing {phrasing!r}")
        # Kept even when invalid, so that the cross checks (ids, phrasings) still run on it.
        if topic_id:
            found.append(OutOfScopeTopic(id=topic_id or "", about=about or "", phrasings=phrasings))
    return found


def _out_of_scope_problems(
    topics: Sequence[OutOfScopeTopic], located: Sequence[tuple[str, FaqEntry]]
) -> list[str]:
    """Topic ids must be unique and not an entry's; no phrasing may be an entry's as well."""
    problems: list[str] = []
    entry_of = {entry.id: where for where, entry in located if entry.id}
    phrasing_of = {_norm(p): where for where, entry in located for p in entry.phrasings if p}
    seen_ids: set[str] = set()
    seen_phrasings: dict[str, str] = {}
    for topic in topics:
        where = f"{OUT_OF_SCOPE_FILE} topic {topic.id}"
        if topic.id in seen_ids:
            problems.append(f"{where}: duplicate id {topic.id!r}")
        elif topic.id in entry_of:
            problems.append(f"{where}: id {topic.id!r} is also an entry ({entry_of[topic.id]})")
        seen_ids.add(topic.id)
        for phrasing in topic.phrasings:
            key = _norm(phrasing)
            if key in phrasing_of:
                problems.append(
                    f"{where}: phrasing {phrasing!r} is also a phrasing of {phrasing_of[key]}; "
                    "the FAQ cannot both answer and not answer it"
                )
            elif key in seen_phrasings and seen_phrasings[key] != topic.id:
                problems.append(
                    f"{where}: phrasing {phrasing!r} is also in topic {seen_phrasings[key]}"
                )
            seen_phrasings.setdefault(key, topic.id)
    return problems


def _topics(name: str, document: Any, problems: list[str]) -> dict[str, tuple[str, ...]]:
    raw = _top_level_mapping(name, document, "topics", "section -> terms", problems)
    topics: dict[str, tuple[str, ...]] = {}
    for section, terms in raw.items():
        clean = _text_list(f"{name} section {section!r}", terms, "terms", problems)
        if clean is not None:
            topics[str(section)] = tuple(clean)
    return topics


def _top_level_mapping(
    name: str, document: Any, key: str, shape: str, problems: list[str]
) -> dict[Any, Any]:
    """``document[key]``, a mapping and the document's only key (else ``{}`` and problems)."""
    raw = document.get(key) if isinstance(document, dict) else None
    if not isinstance(raw, dict):
        problems.append(f"{name}: expected a top-level {key!r} mapping of {shape}")
        return {}
    unknown = sorted(str(other) for other in document if other != key)
    if unknown:
        problems.append(f"{name}: unknown top-level keys {_quoted(unknown)}")
    return raw


def _text_list(where: str, value: Any, what: str, problems: list[str]) -> list[str] | None:
    """``value`` as a non-empty list of whitespace-collapsed texts, or ``None`` and a problem."""
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: expected a non-empty list of {what}")
        return None
    clean = [" ".join(t.split()) for t in value if isinstance(t, str) and t.strip()]
    if len(clean) != len(value):
        problems.append(f"{where}: every entry of the list must be non-empty text")
        return None
    return clean


@dataclass(frozen=True, slots=True)
class _Where:
    """How a problem names its place: ``file entry 3 (id)``."""

    file: str
    index: int
    entry_id: str | None

    def __str__(self) -> str:
        label = f" ({self.entry_id})" if self.entry_id else ""
        return f"{self.file} entry {self.index}{label}"


def _entries_file(name: str, document: Any, problems: list[str]) -> list[tuple[str, FaqEntry]]:
    if not isinstance(document, dict):
        problems.append(f"{name}: expected a mapping with an 'entries' list")
        return []
    unknown = sorted(str(key) for key in document if key not in FILE_KEYS)
    if unknown:
        problems.append(f"{name}: unknown top-level keys {_quoted(unknown)}")
    source = _source(name, document.get("source"), problems) if "source" in document else None
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        problems.append(f"{name}: expected a top-level 'entries' list")
        return []
    if not raw_entries:
        problems.append(f"{name}: the 'entries' list is empty")
    located: list[tuple[str, FaqEntry]] = []
    for index, raw in enumerate(raw_entries):
        entry = _entry(name, index, raw, source, problems)
        if entry is not None:
            located.append((str(_Where(name, index, entry.id)), entry))
    return located


def _source(name: str, raw: Any, problems: list[str]) -> Source | None:
    where = f"{name} source"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    before = len(problems)
    unknown = sorted(str(key) for key in raw if key not in SOURCE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {_quoted(unknown)}")
    title = _text(where, raw, "title", problems, required=True)
    _text(where, raw, "page", problems, required=False)
    url = _text(where, raw, "url", problems, required=False)
    if url is not None and not url.startswith("https://"):
        problems.append(f"{where}: url {url!r} must start with https://")
    published = _date(where, raw, "published", problems)
    refreshed = _date(where, raw, "refreshed", problems)
    if published and refreshed and refreshed < published:
        problems.append(f"{where}: refreshed {refreshed} is before published {published}")
    if len(problems) > before or title is None:
        return None
    return Source(title=title, url=url, published=published, refreshed=refreshed)


def _entry(
    name: str, index: int, raw: Any, source: Source | None, problems: list[str]
) -> FaqEntry | None:
    if not isinstance(raw, dict):
        problems.append(f"{_Where(name, index, None)}: expected a mapping")
        return None
    raw_id = raw.get("id")
    entry_id = raw_id if isinstance(raw_id, str) and raw_id.strip() else None
    where = str(_Where(name, index, entry_id))

    missing = [key for key in _REQUIRED_ENTRY_KEYS if _is_blank(raw.get(key))]
    problems += [f"{where}: missing {key!r}" for key in missing]
    unknown = sorted(str(key) for key in raw if key not in ENTRY_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {_quoted(unknown)}")
    texts = {
        key: _text(where, raw, key, problems, required=False)
        for key in ("id", "section", "question", "source_question", "answer")
        if key not in missing
    }
    if texts.get("id") is not None and not _KEBAB.fullmatch(texts["id"] or ""):
        problems.append(f"{where}: id {texts['id']!r} is not kebab-case (like 'request-sme')")
    question, source_question = texts.get("question"), texts.get("source_question")
    if question and source_question and _norm(question) == _norm(source_question):
        problems.append(f"{where}: source_question repeats question; leave it out")

    links = _links(where, raw.get("links", []), problems)
    alternates = _strings(where, raw, "alternates", problems)
    related = _strings(where, raw, "related", problems)
    answers = _strings(where, raw, "answers", problems)
    for kind in _duplicates(answers):
        problems.append(f"{where}: duplicate answers kind {kind!r}")
    own = [question] if question else []
    if source_question and (not question or _norm(source_question) != _norm(question)):
        own.append(source_question)
    for alternate in _duplicates([*own, *alternates]):
        problems.append(f"{where}: duplicate alternate {alternate!r}")
    for target in _duplicates(related):
        problems.append(f"{where}: duplicate related id {target!r}")
    if entry_id and entry_id in related:
        problems.append(f"{where}: related lists the entry itself")

    # Returned even when invalid, so that cross-entry checks (ids, related) still run on it.
    return FaqEntry(
        id=texts.get("id") or "",
        section=texts.get("section") or "",
        question=question or "",
        answer=texts.get("answer") or "",
        links=links,
        alternates=alternates,
        related=related,
        source_question=source_question,
        source=source,
        answers=answers,
    )


def _links(where: str, raw: Any, problems: list[str]) -> tuple[Link, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"{where}: 'links' must be a list")
        return ()
    links: list[Link] = []
    seen: set[str] = set()
    for number, item in enumerate(raw):
        here = f"{where} link {number}"
        if not isinstance(item, dict):
            problems.append(f"{here}: expected a mapping with title, url and kind")
            continue
        unknown = sorted(str(key) for key in item if key not in LINK_KEYS)
        if unknown:
            problems.append(f"{here}: unknown keys {_quoted(unknown)}")
        title = _text(here, item, "title", problems, required=True)
        url = _text(here, item, "url", problems, required=True)
        kind = _text(here, item, "kind", problems, required=False) or "other"
        if url is not None and not url.lower().startswith(_URL_SCHEMES):
            problems.append(f"{here}: url {url!r} must start with https:// or mailto:")
        elif url is not None and url in seen:
            problems.append(f"{here}: url {url!r} is listed twice")
        if kind not in LINK_KINDS:
            problems.append(
                f"{here}: unknown kind {kind!r} (one of {', '.join(sorted(LINK_KINDS))})"
            )
        if title is not None and url is not None:
            seen.add(url)
            links.append(Link(title=title, url=url, kind=kind))
    return tuple(links)


def _strings(where: str, raw: Mapping[str, Any], key: str, problems: list[str]) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: {key!r} must be a list of strings")
        return ()
    found: list[str] = []
    for number, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(f"{where}: {key} {number} is empty or not text: {item!r}")
        else:
            found.append(" ".join(item.split()))
    return tuple(found)


def _text(
    where: str, raw: Mapping[str, Any], key: str, problems: list[str], *, required: bool
) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            problems.append(f"{where}: missing {key!r}")
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: {key!r} must be text, got {type(value).__name__}")
        return None
    if not value.strip():
        problems.append(f"{where}: {key!r} is empty")
        return None
    return value.strip()


def _date(where: str, raw: Mapping[str, Any], key: str, problems: list[str]) -> date | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append(f"{where}: {key} {value!r} is not a date (YYYY-MM-DD)")
    return None


def _synonym_groups(
    name: str, document: Any, problems: list[str]
) -> list[tuple[str, SynonymGroup]]:
    if not isinstance(document, dict) or not isinstance(document.get("synonyms"), list):
        problems.append(f"{name}: expected a top-level 'synonyms' list of term lists")
        return []
    unknown = sorted(str(key) for key in document if key != "synonyms")
    if unknown:
        problems.append(f"{name}: unknown top-level keys {_quoted(unknown)}")
    groups: list[tuple[str, SynonymGroup]] = []
    for index, raw in enumerate(document["synonyms"]):
        label = raw[0] if isinstance(raw, list) and raw and isinstance(raw[0], str) else None
        where = f"{name} group {index}" + (f" ({label})" if label else "")
        if not isinstance(raw, list):
            problems.append(f"{where}: expected a list of terms")
            continue
        terms = [" ".join(t.split()) for t in raw if isinstance(t, str) and t.strip()]
        if len(terms) != len(raw):
            problems.append(f"{where}: every term must be non-empty text")
        if len(terms) < 2:
            problems.append(f"{where}: a group needs at least two terms")
        for term in _duplicates(terms):
            problems.append(f"{where}: duplicate term {term!r}")
        if len(terms) == len(raw) and len(terms) >= 2:
            groups.append((where, SynonymGroup(terms=tuple(terms))))
    return groups


def _cross_entry_problems(located: Sequence[tuple[str, FaqEntry]]) -> list[str]:
    problems: list[str] = []
    first_of: dict[str, str] = {}
    for where, entry in located:
        if not entry.id:
            continue
        if entry.id in first_of:
            problems.append(
                f"{where}: duplicate id {entry.id!r}, first used in {first_of[entry.id]}"
            )
        else:
            first_of[entry.id] = where
    for where, entry in located:
        for target in entry.related:
            if target not in first_of:
                problems.append(f"{where}: related id {target!r} is not an entry")
    owner: dict[str, tuple[str, str]] = {}
    for where, entry in located:
        for phrasing in dict.fromkeys(_norm(p) for p in entry.phrasings if p):
            other = owner.get(phrasing)
            if other is not None and other[1] != entry.id:
                problems.append(
                    f"{where}: phrasing {phrasing!r} also belongs to {other[0]}; "
                    "a phrasing must point to one entry"
                )
            else:
                owner[phrasing] = (where, entry.id)
    return problems


def _cross_group_problems(groups: Sequence[tuple[str, SynonymGroup]]) -> list[str]:
    problems: list[str] = []
    owner: dict[str, str] = {}
    for where, group in groups:
        for term in dict.fromkeys(_term_key(t) for t in group.terms):
            if term in owner and owner[term] != where:
                problems.append(f"{where}: term {term!r} is already in {owner[term]}")
            else:
                owner[term] = where
    return problems


def _bad_timestamp_line(text: str) -> str:
    """``line N: `` for the first date-like scalar that is not a real date, else ``""``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return ""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            if current.tag == "tag:yaml.org,2002:timestamp":
                try:
                    date.fromisoformat(str(current.value)[:10])
                except ValueError:
                    return f"line {current.start_mark.line + 1}: "
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(reversed([item for pair in current.value for item in pair]))
    return ""


def _duplicates(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        key = _norm(item)
        if key in seen and item not in repeated:
            repeated.append(item)
        seen.add(key)
    return repeated


def _norm(text: str) -> str:
    """Case-, quote- and whitespace-insensitive form, for duplicate checks."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return " ".join(text.replace("\u201d", '"').casefold().split())


def _term_key(term: str) -> str:
    """A synonym term as the matcher sees it: folded words (``Kick-off`` -> ``kick off``)."""
    return " ".join(_WORDS.findall(term.casefold()))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _quoted(keys: Iterable[str]) -> str:
    return ", ".join(repr(key) for key in keys)

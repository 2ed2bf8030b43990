"""Parse a Partner Site FAQ page (markdown) into sections, questions and Teams-safe answers.

The page format: YAML front matter (``title``, ``ms.date``); ``##``/``###`` headings, each a
section (a "Refresh Summary" heading instead introduces the table of refresh dates);
``**question**`` lines; answer paragraphs and ``- `` lists up to the next question or heading.

Pure text work: no file or network I/O (the importer reads the page), no YAML writing, and no
opinion on ids, link titles or what is already in ``faq_data/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml

from intents.hygiene import fold
from intents.loader import FaqDataError

#: The heading whose table lists the page's refresh dates; it is not a section.
REFRESH_HEADING = "refresh summary"

_HEADING = re.compile(r"(#{1,6})\s+(.+?)\s*#*\s*")
_QUESTION = re.compile(r"\*\*(?P<text>(?:(?!\*\*).)+?)\*\*")
_BULLET = re.compile(r"(?P<indent>\s*)(?:[-*+]|(?P<number>\d{1,3})[.)])\s+(?P<text>.*)")
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<url>[^()\s]+)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_AUTOLINK = re.compile(r"<(?P<url>(?:https?://|mailto:)[^>\s]+)>")
_BROKEN_LINK = re.compile(r"\]\([^)]*$")
_ITALIC = re.compile(r"(?<![*\w])\*(?![\s*])(?P<text>[^*\n]+?)(?<![\s*])\*(?![*\w])")
_LONE_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_TABLE_SEPARATOR = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")
_SENTENCE_END = re.compile(r"[.!?:](?:[)\"'\u2019\u201d*_])*$")
_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_PAGE_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")


class PageFormatError(FaqDataError):
    """The page does not follow the Partner Site FAQ format; each problem names its line."""

    subject = "the FAQ page"


@dataclass(frozen=True, slots=True)
class PageLink:
    """A ``[text](url)`` link of an answer, with the page's own link text."""

    text: str
    url: str


@dataclass(frozen=True, slots=True)
class PageQuestion:
    """One question of the page with its answer converted to Teams-safe markdown."""

    section: str
    question: str
    answer: str
    links: tuple[PageLink, ...]
    line: int  # where the question is on the page, 1-based


@dataclass(frozen=True, slots=True)
class FaqPage:
    """Everything the importer needs from a page."""

    title: str
    published: date
    refreshed: date | None
    questions: tuple[PageQuestion, ...]
    warnings: tuple[str, ...] = ()

    @property
    def sections(self) -> list[str]:
        """Section names in page order."""
        return list(dict.fromkeys(q.section for q in self.questions))


def parse_page(text: str, *, name: str = "page") -> FaqPage:
    """Parse the markdown of a Partner Site FAQ page.

    Args:
        text: The page's markdown.
        name: The page's file name, used in problem messages.

    Returns:
        The page's title, dates and questions, in page order.

    Raises:
        PageFormatError: The page is malformed; the message names the file and line.
    """
    return _PageParser(name, text).parse()


class _PageParser:
    """A single-use, line-by-line reader of one page."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.removeprefix("\ufeff").splitlines()
        self.section: str | None = None
        self.in_refresh = False
        self.refresh_dates: list[date] = []
        self.questions: list[PageQuestion] = []
        self.warnings: list[str] = []
        self.pending: tuple[str, str, int] | None = None  # section, question and its line
        self.body: list[tuple[int, str]] = []

    def fail(self, line: int, message: str) -> PageFormatError:
        return PageFormatError([f"{self.name} line {line}: {message}"])

    def parse(self) -> FaqPage:
        title, published, first_body_line = self._front_matter()
        for number in range(first_body_line, len(self.lines) + 1):
            self._line(number, self.lines[number - 1])
        self._finish_question()
        if not self.questions:
            raise self.fail(len(self.lines), "no questions found (a question is a **bold** line)")
        return FaqPage(
            title=title,
            published=published,
            refreshed=max(self.refresh_dates, default=None),
            questions=tuple(self.questions),
            warnings=tuple(self.warnings),
        )

    def _front_matter(self) -> tuple[str, date, int]:
        if not self.lines or self.lines[0].strip() != "---":
            raise self.fail(1, "no front matter: the page must start with a '---' line")
        try:
            end = next(i for i in range(1, len(self.lines)) if self.lines[i].strip() == "---")
        except StopIteration:
            raise self.fail(1, "front matter is not closed by a '---' line") from None
        try:
            meta: Any = yaml.safe_load("\n".join(self.lines[1:end]))
        except yaml.MarkedYAMLError as error:
            line = 2 + (error.problem_mark.line if error.problem_mark else 0)
            raise self.fail(line, f"front matter is not valid YAML: {error.problem}") from None
        except (yaml.YAMLError, ValueError) as error:
            raise self.fail(2, f"front matter is not valid YAML: {error}") from None
        if not isinstance(meta, dict):
            raise self.fail(2, "front matter must be 'key: value' lines")
        title = meta.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail(1, "front matter has no 'title'")
        published = _page_date(meta.get("ms.date"))
        if published is None:
            line = self._meta_line("ms.date", end) or 1
            raise self.fail(
                line, f"front matter needs ms.date as MM/DD/YYYY, got {meta.get('ms.date')!r}"
            )
        title = " ".join(title.split()).removeprefix("Partner Site ").strip()
        return title, published, end + 2

    def _meta_line(self, key: str, end: int) -> int | None:
        for index in range(1, end):
            if self.lines[index].lstrip().startswith(f"{key}:"):
                return index + 1
        return None

    def _line(self, number: int, line: str) -> None:
        stripped = line.strip()
        if stripped.count("**") % 2:
            raise self.fail(number, "unterminated bold: odd number of '**'")
        heading = _HEADING.fullmatch(stripped)
        if heading:
            self._finish_question()
            level, name = len(heading.group(1)), " ".join(heading.group(2).split())
            self.in_refresh = name.casefold() == REFRESH_HEADING
            # "#" is the page title; neither it nor the Refresh Summary is a section.
            self.section = name if level > 1 and not self.in_refresh else None
            return
        if self.in_refresh:
            self._refresh_line(number, stripped)
            return
        question = _QUESTION.fullmatch(stripped)
        if question:
            self._finish_question()
            if self.section is None:
                raise self.fail(number, "question before any '##' section heading")
            self.pending = (self.section, " ".join(question.group("text").split()), number)
            return
        if self.pending is not None:
            self.body.append((number, line))
        elif stripped:
            self.warnings.append(f"line {number}: text outside any question ignored")

    def _refresh_line(self, number: int, stripped: str) -> None:
        if not stripped or _LONE_LINK.fullmatch(stripped):
            return  # the trailing [Home](...) link
        if not stripped.startswith("|"):
            self.warnings.append(f"line {number}: text after the Refresh Summary table ignored")
            return
        if _TABLE_SEPARATOR.fullmatch(stripped):
            return
        first = stripped.strip("|").split("|")[0].strip()
        if first.casefold() == "date":
            return
        refreshed = _page_date(first)
        if refreshed is None:
            raise self.fail(number, f"Refresh Summary date {first!r} is not MM/DD/YYYY")
        self.refresh_dates.append(refreshed)

    def _finish_question(self) -> None:
        if self.pending is None:
            return
        section, question, line = self.pending
        self.pending, body = None, self.body
        self.body = []
        answer, links = self._answer(body)
        if not answer:
            raise self.fail(line, f"question {question!r} has no answer")
        for earlier in self.questions:
            if _fold(earlier.question) == _fold(question):
                raise self.fail(line, f"question repeated from line {earlier.line}")
        self.questions.append(PageQuestion(section, question, answer, links, line))

    def _answer(self, body: list[tuple[int, str]]) -> tuple[str, tuple[PageLink, ...]]:
        """Teams-safe markdown for the answer lines, and the links they contain."""
        blocks: list[_Block] = []
        links: dict[str, PageLink] = {}
        previous = ""  # the previous raw line, blank after a blank line
        for number, raw in body:
            stripped = raw.strip()
            last = blocks[-1] if blocks else None
            if not stripped:
                if last is not None:
                    last.open = False
            elif stripped.startswith("|"):
                raise self.fail(number, "tables are not supported inside an answer")
            elif (bullet := _BULLET.fullmatch(raw)) and not stripped.startswith("**"):
                item = self._inline(number, bullet.group("text"), links)
                marker = f"{bullet.group('number')}." if bullet.group("number") else "-"
                if last is None or not last.is_list:
                    last = _Block(is_list=True)
                    blocks.append(last)
                last.open = True  # a blank line between items keeps one (loose) list
                last.lines.append(f"{marker} {item}")
            else:
                text = self._inline(number, stripped, links)
                if (
                    last is not None
                    and last.open
                    and (last.is_list or not _new_paragraph(previous))
                ):
                    last.lines[-1] += f" {text}"
                else:
                    blocks.append(_Block(is_list=False, lines=[text]))
            previous = raw if stripped else ""
        answer = "\n\n".join(block.markdown() for block in blocks)
        return answer, tuple(links.values())

    def _inline(self, number: int, text: str, links: dict[str, PageLink]) -> str:
        """One line of answer text as Teams-safe markdown; its links go into ``links``."""
        if _IMAGE.search(text):
            self.warnings.append(f"line {number}: image left out of the answer")
            text = _IMAGE.sub("", text)
        text = _AUTOLINK.sub(lambda m: f"[{m.group('url')}]({m.group('url')})", text)
        for match in _LINK.finditer(text):
            url = match.group("url")
            if not url.lower().startswith(("https://", "mailto:")):
                raise self.fail(number, f"link {url!r} is neither https:// nor mailto:")
            links.setdefault(url, PageLink(" ".join(match.group("text").split()), url))
        if _BROKEN_LINK.search(_LINK.sub("", text)):
            raise self.fail(number, "unterminated link: '](' without a closing ')'")
        text = _ITALIC.sub(lambda m: f"_{m.group('text')}_", text)
        return " ".join(text.split())


@dataclass(slots=True)
class _Block:
    """A paragraph (its lines joined by spaces) or a list (one line per item) of an answer."""

    is_list: bool
    lines: list[str] = field(default_factory=list)
    open: bool = True  # False once a blank line has followed it

    def markdown(self) -> str:
        return ("\n" if self.is_list else " ").join(self.lines)


def _new_paragraph(previous_raw: str) -> bool:
    """Whether the line after ``previous_raw`` starts a new paragraph.

    The page writes one paragraph per line; a line that ends a sentence (or a markdown hard
    break) followed by another line is read as two paragraphs, as the page's authors meant.
    A line cut mid-sentence is joined to the next one.
    """
    return bool(_HARD_BREAK.search(previous_raw) or _SENTENCE_END.search(previous_raw.strip()))


def _page_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    for pattern in _PAGE_DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _fold(text: str) -> str:
    return " ".join(fold(text).split())

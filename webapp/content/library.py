"""Pages and campaigns from Markdown files, parsed once and kept until a file
changes. Plain Python, no Flask.

``content/pages/SLUG.LANG.md``, ``content/campaigns/SLUG.LANG.md`` and
``content/services/SLUG.LANG.md`` (local services for "Help near you"): YAML
front matter between ``---`` lines, then Markdown. ``parse`` turns one file
into a ``Document`` or raises ``ContentError`` with the line at fault;
``Library`` holds every good document, notices new, changed and removed files
(at most once every ``interval`` seconds), and leaves broken ones out, logging
the file and the reason, never its content.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError

from webapp.content import render
from webapp.rules.helplines import NATIONS
from webapp.rules.services import phone_problem

log = logging.getLogger(__name__)

KINDS = ("pages", "campaigns", "services")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{2,79}")  # a page's address, as routes.SlugConverter
NAME = re.compile(rf"(?P<slug>{SLUG.pattern})\.(?P<lang>[a-z]{{2,3}})\.md")
FIELDS = {
    "title": str,
    "summary": str,
    "publish_from": date,
    "publish_until": date,
    "banner": str,
    "order": int,
    "review_by": date,
}
# A line of its own that starts a part of the text shown only where the
# landlord's homes are in one of the nations it names; ``{nation: all}`` ends it.
NATION_LINE = re.compile(r"\s*\{\s*nation\b(.*)\}\s*")
NATION_ANYWHERE = re.compile(r"\{\s*nation\b", re.I)  # a marker not on a line of its own
# Embeddings and overrides (U+202A to U+202E): they reverse what follows, so
# that a number reads one way in a diff and dials another. (Isolates and
# the left-to-right and right-to-left marks are kept: translations use them.)
BIDI_CONTROL = re.compile("[\u202a-\u202e]")
NATION_MARKER = re.compile(r"\s*\{nation:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)\s*\}\s*")
# A local service: what a resident needs to choose and reach it. Its words
# (name, offer, who, hours) are translated in SLUG.LANG.md; its facts (the
# rest) must be the same in every language's file.
SERVICE_FIELDS = {
    "name": str,
    "offer": str,
    "who": str,
    "phone": str,
    "hours": str,
    "self_referral": bool,
    "areas": list,
    "languages": list,
    "example": bool,
    "order": int,
    "review_by": date,
}
SERVICE_FACTS = ("phone", "self_referral", "areas", "languages", "example")
REQUIRED = {
    "pages": ("title", "summary"),
    "campaigns": ("title", "summary", "publish_from"),
    "services": ("name", "offer", "who", "phone", "hours", "self_referral", "areas"),
}
ONE_LINE = ("title", "banner", "name", "phone")
TYPE_NAMES = {
    str: "text",
    date: "a date like 2026-11-25",
    int: "a whole number",
    bool: "yes or no (true or false)",
    list: "a list, like [Northgate, Eastfield]",
}


class ContentError(ValueError):
    """A file that cannot be published: ``line`` is where (1-based)."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


@dataclass(frozen=True)
class ServiceFacts:
    """What a local service file says besides its name and offer."""

    who: str
    phone: str
    hours: str
    self_referral: bool
    areas: tuple[str, ...]
    languages: tuple[str, ...] = ()  # codes: the languages they can help in
    example: bool = False  # made up for the demo: refused in production

    def facts(self) -> tuple:
        return self.phone, self.self_referral, self.areas, self.languages, self.example


@dataclass(frozen=True)
class Document:
    kind: str  # "pages" or "campaigns"
    slug: str
    lang: str
    path: Path
    title: str
    summary: str
    html: str  # sanitised; internal links still in English (see render.localise)
    publish_from: date | None = None
    publish_until: date | None = None
    banner: str | None = None
    order: int | None = None
    review_by: date | None = None
    links: tuple[tuple[int, str], ...] = ()  # (line, internal path) for the check
    # Parts shown only in some nations: (nations or None for all, html), in
    # order; empty when the text has no ``{nation: ...}`` line (``html`` is all).
    sections: tuple[tuple[frozenset[str] | None, str], ...] = ()

    def html_for(self, nations: tuple[str, ...]) -> str:
        """The text as a site serving ``nations`` shows it."""
        if not self.sections:
            return self.html
        return "".join(
            html for only, html in self.sections if only is None or only.intersection(nations)
        )

    service: ServiceFacts | None = None  # services only (title: its name; summary: its offer)
    source: str = field(default="", repr=False, compare=False)  # the text it was read from

    def live(self, today: date) -> bool:
        """From the start of ``publish_from`` to the end of ``publish_until``."""
        return (self.publish_from is None or self.publish_from <= today) and (
            self.publish_until is None or today <= self.publish_until
        )


def split_front_matter(text: str) -> tuple[dict, str, int]:
    """(front matter, body, the line the body starts on)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ContentError(1, "the file must start with front matter between --- lines")
    try:
        end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(1, "the front matter is not closed by a --- line") from None
    try:
        matter = yaml.safe_load("\n".join(lines[1:end])) or {}
    except (ValueError, TypeError):  # a date that does not exist: 2026-11-31
        raise ContentError(
            2,
            "the front matter holds a value that cannot be read, such as "
            "a date that does not exist",
        ) from None
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise ContentError(
            line,
            f"the front matter is not valid YAML ({problem.problem})"
            if hasattr(problem, "problem")
            else "the front matter is not valid YAML",
        ) from None
    if not isinstance(matter, dict):
        raise ContentError(2, "the front matter must be fields like `title: ...`")
    return matter, "\n".join(lines[end + 1 :]), end + 2


def of_type(value, wanted: type) -> bool:
    if wanted is date:  # a day, not a moment: YAML reads "2026-11-25 10:00" as a datetime
        return isinstance(value, date) and not isinstance(value, datetime)
    if wanted is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted is list:
        return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    return isinstance(value, wanted)


def field_line(text: str, name: str) -> int:
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(f"{name}:"):
            return number
    return 1


def parse(path: Path, kind: str) -> Document:
    """A file under ``content/KIND/``, as the site would read it."""
    check_name(path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentError(1, "the file is not UTF-8 text") from None
    return parse_text(path.name, text, kind, path)


def check_name(name: str) -> re.Match:
    match = NAME.fullmatch(name)
    if match is None:
        raise ContentError(
            1,
            "the file name must be SLUG.LANG.md, like clares-law.en.md "
            "(lower-case letters, digits and hyphens)",
        )
    return match


def parse_text(filename: str, text: str, kind: str, path: Path | None = None) -> Document:
    """One document's text (front matter and Markdown) named ``SLUG.LANG.md``,
    from a file or from the database: the same rules for both."""
    match = check_name(filename)
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    reversing = BIDI_CONTROL.search(text)
    if reversing:  # shown to an approver in one order, read by residents in another
        raise ContentError(
            text.count("\n", 0, reversing.start()) + 1,
            f"a hidden character that reorders the text (U+{ord(reversing.group()):04X}): "
            "delete it (each language's direction is set by the site)",
        )
    matter, body, body_line = split_front_matter(text)
    fields = SERVICE_FIELDS if kind == "services" else FIELDS
    values = {}
    for name, value in matter.items():
        if name not in fields:
            raise ContentError(
                field_line(text, str(name)), f"unknown field {name!r} (known: {', '.join(fields)})"
            )
        wanted = fields[name]
        if wanted is str and isinstance(value, str):
            value = value.strip()
            if not value:
                raise ContentError(field_line(text, name), f"{name} is empty")
            if name in ONE_LINE and "\n" in value:
                raise ContentError(field_line(text, name), f"{name} must be one line")
            if BIDI_CONTROL.search(value):  # written as an escape, "\u202e"
                raise ContentError(
                    field_line(text, name),
                    f"{name} holds a character that reorders the text: delete it",
                )
        elif not of_type(value, wanted):
            raise ContentError(field_line(text, name), f"{name} must be {TYPE_NAMES[wanted]}")
        values[name] = value
    for name in REQUIRED[kind]:
        if name not in values:
            raise ContentError(2, f"{name} is missing")
    start, end = values.get("publish_from"), values.get("publish_until")
    if start and end and end < start:
        raise ContentError(
            field_line(text, "publish_until"),
            f"publish_until ({end}) is before publish_from ({start})",
        )
    if "banner" in values and kind != "campaigns":
        raise ContentError(field_line(text, "banner"), "only campaigns have a banner")
    if kind == "services":
        values = service_values(values, text)
    sections, links = [], []
    for only, part, first_line in nation_parts(body, body_line):
        rendered = render.markdown(part, first_line)
        if rendered.removed:
            line, what = rendered.removed[0]
            raise ContentError(line, f"unsafe or unsupported HTML or link: {what}")
        sections.append((only, rendered.html))
        links.extend(rendered.links)
    unknown = sorted(set(render.PLACEHOLDER.findall(text)) - set(render.PLACEHOLDERS))
    if unknown:
        raise ContentError(
            body_line,
            "unknown placeholder(s) "
            + ", ".join("{" + name + "}" for name in unknown)
            + f" (known: {', '.join('{' + p + '}' for p in render.PLACEHOLDERS)})",
        )
    return Document(
        kind=kind,
        slug=match["slug"],
        lang=match["lang"],
        path=path or Path(kind, filename),
        source=text,
        html="".join(html for _only, html in sections),
        links=tuple(links),
        sections=tuple(sections) if len(sections) > 1 else (),
        **values,
    )


def nation_parts(body: str, first_line: int) -> list[tuple[frozenset[str] | None, str, int]]:
    """The text cut at each ``{nation: wales, england}`` line: (the nations
    a part is for, or None for everyone; its Markdown; its first line)."""
    parts: list[tuple[frozenset[str] | None, str, int]] = []
    only: frozenset[str] | None = None
    start, lines = first_line, []
    for number, line in enumerate(body.split("\n"), first_line):
        if not NATION_LINE.fullmatch(line):
            if NATION_ANYWHERE.search(line):  # else shown as it is, its text to every nation
                raise ContentError(
                    number,
                    f"{line.strip()[:60]}: a {{nation: ...}} line must be a line of its own, "
                    "in small letters, like {nation: wales, england}",
                )
            lines.append(line)
            continue
        marker = NATION_MARKER.fullmatch(line)
        named = [n.strip() for n in marker.group(1).split(",")] if marker else []
        unknown = [n for n in named if n not in (*NATIONS, "all")]
        if not named or unknown or ("all" in named and len(named) > 1):
            raise ContentError(
                number,
                f"{line.strip()[:60]} must name nations, like {{nation: wales, england}}, "
                f"or be {{nation: all}} (nations: {', '.join(NATIONS)})",
            )
        if lines:
            parts.append((only, "\n".join(lines), start))
        only = None if named == ["all"] else frozenset(named)
        start, lines = number + 1, []
    if lines or not parts:
        parts.append((only, "\n".join(lines), start))
    return parts


def service_values(values: dict, text: str) -> dict:
    """A service's front matter as a Document's fields, its phone and
    languages checked (its areas are checked against the settings by
    ``content check``, which knows them)."""
    if not values["areas"]:
        raise ContentError(field_line(text, "areas"), "areas must name at least one area")
    problem = phone_problem(values["phone"])
    if problem:
        raise ContentError(field_line(text, "phone"), f"phone: {problem}")
    languages = tuple(code.strip() for code in values.get("languages", ()))
    for code in languages:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise ContentError(
                field_line(text, "languages"),
                f"languages: {code!r} is not a language code (write en, cy, ur, so, ...)",
            ) from None
    facts = ServiceFacts(
        who=values.pop("who"),
        phone=values.pop("phone"),
        hours=values.pop("hours"),
        self_referral=values.pop("self_referral"),
        areas=tuple(area.strip() for area in values.pop("areas")),
        languages=languages,
        example=values.pop("example", False),
    )
    values.pop("languages", None)
    return {
        "title": values.pop("name"),
        "summary": values.pop("offer"),
        "service": facts,
        **values,
    }


@dataclass
class Snapshot:
    documents: dict[tuple[str, str, str], Document]  # (kind, slug, lang)
    problems: dict[Path, ContentError]
    version: int = 0  # goes up by one whenever a file is added, changed or removed


class Questions:
    """What the site asks of the documents a ``snapshot`` holds."""

    def snapshot(self) -> Snapshot:
        raise NotImplementedError

    def find(self, kind: str, slug: str, lang: str) -> Document | None:
        """The document in ``lang``, else in English, else None."""
        documents = self.snapshot().documents
        return documents.get((kind, slug, lang)) or documents.get((kind, slug, "en"))

    def listing(self, kind: str, lang: str, today: date) -> list[Document]:
        """One document per slug, live today, in ``lang`` where there is one."""
        documents = self.snapshot().documents
        slugs = sorted({slug for (k, slug, _) in documents if k == kind})
        chosen = [
            documents.get((kind, slug, lang)) or documents.get((kind, slug, "en")) for slug in slugs
        ]
        live = [doc for doc in chosen if doc is not None and doc.live(today)]
        return sorted(
            live,
            key=lambda doc: (
                doc.order if doc.order is not None else 10_000,
                -(doc.publish_from or date.min).toordinal(),
                doc.slug,
            ),
        )

    def banners(self, lang: str, today: date) -> list[Document]:
        """Live campaigns with a banner in exactly this language."""
        return [
            doc for doc in self.listing("campaigns", lang, today) if doc.lang == lang and doc.banner
        ]


class Library(Questions):
    """Every document under ``root``, reparsed only when its file changes:
    what ``flask content import`` and ``content check`` read (the site shows
    what is published in the database, ``published.py``)."""

    def __init__(
        self, root: Path, interval: float = 1.0, clock: Callable[[], float] = time.monotonic
    ):
        self.root, self.interval, self.clock = Path(root), interval, clock
        self._seen: dict[Path, tuple[int, int]] = {}
        self._parsed: dict[Path, Document | ContentError] = {}
        self._snapshot = Snapshot({}, {})
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        now = self.clock()
        if self._checked_at is None or now - self._checked_at >= self.interval:
            with self._lock:
                if self._checked_at is None or now - self._checked_at >= self.interval:
                    self._refresh()
                    self._checked_at = now
        return self._snapshot

    def _refresh(self) -> None:
        found: dict[Path, tuple[int, int]] = {}
        kinds: dict[Path, str] = {}
        for kind in KINDS:
            folder = self.root / kind
            try:
                entries = list(os.scandir(folder))
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.name.endswith(".md") and entry.is_file():
                    stat = entry.stat()
                    path = Path(entry.path)
                    found[path] = (stat.st_mtime_ns, stat.st_size)
                    kinds[path] = kind
        if found == self._seen:
            return
        for path, stamp in found.items():
            if self._seen.get(path) != stamp or path not in self._parsed:
                try:
                    self._parsed[path] = parse(path, kinds[path])
                except ContentError as problem:
                    self._parsed[path] = problem
                    log.error("content file %s left out: %s", path, " ".join(str(problem).split()))
                except Exception as problem:
                    reason = f"cannot be read ({type(problem).__name__})"
                    self._parsed[path] = ContentError(1, reason)
                    log.error("content file %s left out: %s", path, reason)
        for gone in set(self._parsed) - set(found):
            del self._parsed[gone]
        self._seen = found
        documents, problems = {}, {}
        for path, parsed in self._parsed.items():
            if isinstance(parsed, ContentError):
                problems[path] = parsed
            else:
                documents[(parsed.kind, parsed.slug, parsed.lang)] = parsed
        self._snapshot = Snapshot(documents, problems, self._snapshot.version + 1)


def compose(matter: dict, body: str) -> str:
    """A document's text from its front matter (in ``FIELDS`` order, empty
    values left out) and its Markdown body: what the editor stores, and what
    a file holds."""
    order = [name for name in (*FIELDS, *SERVICE_FIELDS) if name in matter]
    kept = {name: matter[name] for name in order if matter[name] not in (None, "")}
    front = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False, width=10_000)
    body = body.replace("\r\n", "\n").strip("\n")
    return f"---\n{front}---\n{body}\n"

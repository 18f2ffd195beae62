"""Publishing pages and campaigns from the staff site (docs/content.md): the
drafts, approvals, restores and withdrawals the editor (``content.py``) and
the ``content import``/``export`` commands make, each in the audit log, in
the caller's transaction (the caller commits). Who may do what, and the
states, are ``webapp/rules/publishing.py``.

Every publication moves ``content_serial`` on first, in its transaction:
that row's lock puts publications one after another (two approvals of one
draft: the second finds it published and does nothing), and the serial is
how every instance learns, within a second, that its pages are out of date.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.content.cli import check_documents
from webapp.content.library import KINDS, ContentError, Document, parse_text
from webapp.content.models import ContentSerial, ContentVersion
from webapp.rules import publishing as rules
from webapp.staff import audit


class Refused(Exception):
    """A change that may not be made; ``reason`` is a key the view words."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def document_name(kind: str, slug: str, lang: str) -> str:
    return f"{kind}/{slug}.{lang}.md"


def published(session: Session, kind: str, slug: str, lang: str) -> ContentVersion | None:
    return session.scalar(
        select(ContentVersion).filter_by(kind=kind, slug=slug, lang=lang, state=rules.PUBLISHED)
    )


def open_draft(
    session: Session, kind: str, slug: str, lang: str, lock: bool = False
) -> ContentVersion | None:
    """The draft being written or waiting; ``lock``: read afresh and held
    until commit (PostgreSQL), so that it is not published meanwhile."""
    query = (
        select(ContentVersion)
        .filter_by(kind=kind, slug=slug, lang=lang)
        .where(ContentVersion.state.in_(rules.OPEN))
    )
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def history(session: Session, kind: str, slug: str, lang: str) -> list[ContentVersion]:
    """Every version of one language of a document, newest first."""
    return list(
        session.scalars(
            select(ContentVersion)
            .filter_by(kind=kind, slug=slug, lang=lang)
            .order_by(ContentVersion.id.desc())
        )
    )


def current_versions(session: Session) -> list[ContentVersion]:
    """What the editor lists: every published version and open draft of the
    pages and campaigns."""
    return list(
        session.scalars(
            select(ContentVersion)
            .where(ContentVersion.kind.in_(rules.EDITABLE_KINDS))
            .where(ContentVersion.state.in_((rules.PUBLISHED, *rules.OPEN)))
            .order_by(ContentVersion.id)
        )
    )


def in_use(session: Session, kind: str, slug: str) -> bool:
    """Whether a document of this kind has this address (a discarded first
    draft leaves it free)."""
    return (
        session.scalar(
            select(ContentVersion.id)
            .filter_by(kind=kind, slug=slug)
            .where(ContentVersion.state != rules.DISCARDED)
            .limit(1)
        )
        is not None
    )


def all_published(session: Session) -> dict[tuple[str, str, str], ContentVersion]:
    return {
        (v.kind, v.slug, v.lang): v
        for v in session.scalars(select(ContentVersion).filter_by(state=rules.PUBLISHED))
    }


# Checking a draft as it would be published.


@dataclass
class Checked:
    """A draft's text read as the site would read it once published."""

    document: Document | None  # None when it cannot be read at all
    errors: list[tuple[int, str]]  # (line, problem): publishing is refused
    warnings: list[tuple[int, str]]

    @property
    def publishable(self) -> bool:
        return self.document is not None and not self.errors


def check(
    session: Session,
    kind: str,
    slug: str,
    lang: str,
    text: str,
    languages: tuple[str, ...],
    today: date,
    areas: tuple[str, ...] = (),
    production: bool = False,
) -> Checked:
    """What ``content check`` would say of this text beside what is
    published: its own problems, and those only the whole set shows (links
    to nowhere, a translation whose dates differ from its English's, or
    from the English draft while the English is not published yet)."""
    name = f"{slug}.{lang}.md"
    try:
        document = parse_text(name, text, kind)
    except ContentError as problem:
        return Checked(None, [(problem.line, problem.reason)], [])
    documents = {}
    for key, version in all_published(session).items():
        try:
            documents[key] = (parse_text(version.filename, version.text, version.kind), key)
        except ContentError:
            continue  # broken already; its own check says so
    ours, english = (kind, slug, lang), (kind, slug, "en")
    if lang != "en" and english not in documents:
        # A translation written before its English is published is checked
        # against the English draft (approval still waits for the English).
        draft = open_draft(session, *english)
        if draft is not None:
            with contextlib.suppress(ContentError):  # broken: the translation has no English
                documents[english] = (parse_text(draft.filename, draft.text, kind), english)
    documents[ours] = (document, ours)
    errors, warnings = check_documents(documents, languages, today, areas, production)
    prefix = f"{ours}:"
    return Checked(
        document,
        [split(line, prefix) for line in errors if line.startswith(prefix)],
        [split(line, prefix) for line in warnings if line.startswith(prefix)],
    )


def split(line: str, prefix: str) -> tuple[int, str]:
    number, _, reason = line[len(prefix) :].partition(": ")
    return int(number) if number.isdigit() else 1, reason


# Changes.


def save_draft(
    session: Session,
    kind: str,
    slug: str,
    lang: str,
    text: str,
    who: str,
    at: datetime,
    based_on: int | None = None,
) -> ContentVersion:
    """Keep ``text`` as the open draft of this language of this document
    (made if there is none). A draft waiting for approval that is changed
    goes back to being a draft: what is approved is what was read. (Locked:
    a draft published meanwhile is left alone, and a new one made.)"""
    draft = open_draft(session, kind, slug, lang, lock=True)
    if draft is None:
        if based_on is None:
            current = published(session, kind, slug, lang)
            based_on = current.id if current else None
        draft = ContentVersion(
            kind=kind,
            slug=slug,
            lang=lang,
            text=text,
            state=rules.DRAFT,
            authors=who,
            created_at=at,
            updated_at=at,
            based_on=based_on,
        )
        session.add(draft)
        action = "content.create" if based_on is None else "content.edit"
    else:
        if draft.text == text:
            return draft
        draft.text, draft.updated_at = text, at
        draft.authors = rules.add_author(draft.authors, who)
        draft.state, draft.submitted_at = rules.DRAFT, None
        action = "content.edit"
    session.flush()
    audit.record(
        session, who, action, None, at, detail=f"{document_name(kind, slug, lang)} #{draft.id}"
    )
    return draft


def submit(session: Session, draft: ContentVersion, who: str, at: datetime) -> None:
    """Ask for approval."""
    if draft.state != rules.DRAFT:
        raise Refused("not-draft")
    draft.state, draft.submitted_at = rules.WAITING, at
    audit.record(session, who, "content.submit", None, at, detail=described(draft))


def send_back(session: Session, draft: ContentVersion, who: str, at: datetime) -> None:
    """Not approved: a draft again, for its authors to change."""
    if draft.state != rules.WAITING:
        raise Refused("not-waiting")
    draft.state, draft.submitted_at = rules.DRAFT, None
    audit.record(session, who, "content.send_back", None, at, detail=described(draft))


def discard(session: Session, draft: ContentVersion, who: str, at: datetime) -> None:
    if draft.state not in rules.OPEN:
        raise Refused("not-open")
    draft.state, draft.ended_at, draft.ended_by = rules.DISCARDED, at, who
    audit.record(session, who, "content.discard", None, at, detail=described(draft))


def move_serial(session: Session) -> None:
    """First in every publication: takes the serial's row lock (PostgreSQL)
    or the database's write lock (SQLite) until the caller commits."""
    session.execute(
        update(ContentSerial)
        .where(ContentSerial.id == 1)
        .values(value=ContentSerial.value + 1)
        .execution_options(synchronize_session=False)
    )


def approve(
    session: Session,
    version_id: int,
    who: str,
    at: datetime,
    two_people: bool,
    checked: Checked,
) -> ContentVersion:
    """Publish a draft waiting for approval (with two-person publishing off,
    a draft its author publishes). ``checked``: the caller's check of its
    text, which must be publishable. Refused when it was published, sent
    back, changed or discarded meanwhile (read again after the lock)."""
    if not checked.publishable:
        raise Refused("broken")
    move_serial(session)
    session.expire_all()
    # Locked: an edit saved meanwhile is either seen here (and refused as
    # changed) or waits until this is published (and makes a new draft).
    draft = session.get(ContentVersion, version_id, with_for_update=True)
    if draft is None or draft.state not in rules.OPEN:
        raise Refused("gone")
    if two_people and draft.state != rules.WAITING:
        raise Refused("not-waiting")
    if checked.document is None or checked.document.source != draft.text.replace("\r\n", "\n"):
        raise Refused("changed")
    refused = rules.approval_refused(draft.author_names, who, two_people)
    if refused:
        raise Refused(refused)
    if draft.lang != "en" and published(session, draft.kind, draft.slug, "en") is None:
        raise Refused("no-english")
    current = published(session, draft.kind, draft.slug, draft.lang)
    if current is not None:
        current.state, current.ended_at, current.ended_by = rules.REPLACED, at, who
        session.flush()  # before the draft takes its place (one published at a time)
    draft.state, draft.approver, draft.approved_at = rules.PUBLISHED, who, at
    draft.submitted_at = draft.submitted_at or at
    session.flush()
    audit.record(session, who, "content.approve", None, at, detail=described(draft))
    return draft


def restore(session: Session, version_id: int, who: str, at: datetime) -> ContentVersion:
    """An earlier version's text, as a new draft (approved like any other).
    A version never approved (a discarded draft) keeps its writers among the
    new draft's: restoring is not a way to approve one's own words."""
    old = session.get(ContentVersion, version_id)
    if old is None or old.kind not in rules.EDITABLE_KINDS:
        raise Refused("gone")
    if open_draft(session, old.kind, old.slug, old.lang) is not None:
        raise Refused("open-draft")
    draft = ContentVersion(
        kind=old.kind,
        slug=old.slug,
        lang=old.lang,
        text=old.text,
        state=rules.DRAFT,
        authors=who if old.approved_at is not None else rules.add_author(old.authors, who),
        created_at=at,
        updated_at=at,
        based_on=old.id,
    )
    session.add(draft)
    session.flush()
    audit.record(
        session, who, "content.restore", None, at, detail=f"{described(draft)} from #{old.id}"
    )
    return draft


def unpublish(
    session: Session, kind: str, slug: str, lang: str, who: str, at: datetime
) -> list[ContentVersion]:
    """Take a language of a document down at once (one person may). Taking
    the English down takes every language down: a translation is never
    shown without the English it translates."""
    move_serial(session)
    session.expire_all()
    langs = None if lang == "en" else [lang]
    query = select(ContentVersion).filter_by(kind=kind, slug=slug, state=rules.PUBLISHED)
    if langs:
        query = query.where(ContentVersion.lang.in_(langs))
    taken = list(session.scalars(query))
    if not taken:
        raise Refused("gone")
    for version in taken:
        version.state, version.ended_at, version.ended_by = rules.UNPUBLISHED, at, who
        audit.record(session, who, "content.unpublish", None, at, detail=described(version))
    return taken


def described(version: ContentVersion) -> str:
    return f"{document_name(version.kind, version.slug, version.lang)} #{version.id}"


# Files: a folder in, what is published out.


def import_folder(
    session: Session,
    root: Path,
    who: str,
    at: datetime,
    languages: tuple[str, ...],
    today: date,
    areas: tuple[str, ...] = (),
    production: bool = False,
) -> tuple[list[str], list[ContentVersion]]:
    """Publish every file under ``root`` whose text differs from what is
    published (the landlord keeps content in version control, and its own
    review is the approval). All or nothing: (the errors that refused the
    import, the versions published)."""
    from webapp.content.cli import check as check_files

    errors, _warnings = check_files(root, languages, today, areas, production)
    if errors:
        return errors, []
    move_serial(session)
    session.expire_all()
    current = all_published(session)
    done = []
    for kind in KINDS:
        for path in sorted((root / kind).glob("*.md")):
            document = parse_text(path.name, path.read_text(encoding="utf-8"), kind)
            key = (kind, document.slug, document.lang)
            old = current.get(key)
            if old is not None and old.text == document.source:
                continue
            if old is not None:
                old.state, old.ended_at, old.ended_by = rules.REPLACED, at, who
                session.flush()
            version = ContentVersion(
                kind=kind,
                slug=document.slug,
                lang=document.lang,
                text=document.source,
                state=rules.PUBLISHED,
                authors=rules.FILES,
                created_at=at,
                updated_at=at,
                submitted_at=at,
                approver=who,
                approved_at=at,
                based_on=old.id if old else None,
            )
            session.add(version)
            session.flush()
            done.append(version)
            audit.record(session, who, "content.import", None, at, detail=described(version))
    return [], done


def export(session: Session, root: Path) -> list[Path]:
    """Write what is published to ``root/KIND/SLUG.LANG.md``; the files written."""
    written = []
    for version in all_published(session).values():
        folder = root / version.kind
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / version.filename
        path.write_text(version.text, encoding="utf-8")
        written.append(path)
    return sorted(written)

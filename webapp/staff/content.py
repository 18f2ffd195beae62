"""The comms team's editor at ``/staff/content/`` (docs/content.md): the
pages and campaigns with their state and translations, one language of one
document to write, preview, send for approval, approve, restore and take
down. The changes themselves are ``publishing.py`` (each audited there); who
may do what and the states are ``rules/publishing.py``. Each view here
commits once, or rolls back when a change is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from webapp import db
from webapp.clock import now, today
from webapp.content import render
from webapp.content import routes as content_routes
from webapp.content.cli import own_route
from webapp.content.library import FIELDS, ContentError, compose, of_type, split_front_matter
from webapp.content.models import ContentVersion
from webapp.i18n import direction
from webapp.rules import publishing as rules
from webapp.rules.contact import CONTENT_ROLES
from webapp.security import csrf
from webapp.staff import publishing
from webapp.staff.forms import ActionForm, ContentForm, NewContentForm
from webapp.staff.web import bp, staff_required

# The editor's form, sent as its browser sends it: a page's text in Gujarati,
# Bengali or Punjabi is three bytes a character, each written %XX; and room
# for the other fields.
EDIT_REQUEST_BYTES = 9 * rules.MAX_TEXT + 64 * 1024

LOCKED = ("publish_from", "publish_until", "order")  # a translation's are its English's


def refusal(reason: str) -> str:
    """A refused change (``publishing.Refused.reason``), in words."""
    return {
        "own": _("You wrote part of this change, so another person must approve it."),
        "broken": _("This draft has problems, shown below. Fix them before it is published."),
        "gone": _(
            "This version is not there any more: someone else published, sent back "
            "or discarded it first."
        ),
        "changed": _("The draft was changed while you were reading it. Read it again."),
        "no-english": _("The English must be published before a translation can be."),
        "open-draft": _("There is already a draft of this language. Publish or discard it first."),
        "not-waiting": _("This draft is not waiting for approval."),
        "not-draft": _("This draft is already waiting for approval."),
        "not-open": _("There is no draft to discard."),
    }.get(reason, _("That could not be done. Please try again."))


def state_words() -> dict[str, str]:
    return {
        rules.DRAFT: _("Draft"),
        rules.WAITING: _("Waiting for approval"),
        rules.PUBLISHED: _("Published"),
        rules.REPLACED: _("Replaced"),
        rules.UNPUBLISHED: _("Taken down"),
        rules.DISCARDED: _("Discarded"),
        rules.LIVE: _("Live"),
        rules.SCHEDULED: _("Scheduled"),
        rules.ENDED: _("Ended"),
        rules.NOT_PUBLISHED: _("Not published"),
        rules.STALE: _("Older than the English"),
        rules.MISSING: _("Missing"),
    }


def kind_words() -> dict[str, str]:
    return {"pages": _("Page"), "campaigns": _("Campaign")}


def field_names() -> dict[str, str]:
    """The fields as the form labels them (the same words as forms.ContentForm)."""
    return {
        "title": _("Title"),
        "summary": _("Summary"),
        "publish_from": _("First day it shows"),
        "publish_until": _("Last day it shows"),
        "banner": _("Banner on the home page"),
        "order": _("Place in the footer list"),
        "review_by": _("Check it again by"),
        "body": _("Text"),
    }


@bp.context_processor
def editor_context():
    return {
        "state_words": state_words,
        "kind_words": kind_words,
        "field_names": field_names,
        "placeholders": render.PLACEHOLDERS,
    }


def settings():
    return current_app.config["SITE"]


def known(kind: str, lang: str) -> None:
    if kind not in rules.EDITABLE_KINDS or lang not in settings().languages:
        abort(404)


def check(kind: str, slug: str, lang: str, text: str) -> publishing.Checked:
    site = settings()
    return publishing.check(
        db.session(),
        kind,
        slug,
        lang,
        text,
        site.languages,
        today(),
        areas=site.areas,
        production=current_app.config.get("QD_ENV") == "production",
    )


def published_changed() -> None:
    """This instance's pages show the change at once (others within a second)."""
    current_app.extensions["content"].forget()


# What a document's text says, as the form's fields.


def values(text: str) -> dict:
    """The form's values from a document's text: what can be read of its
    front matter (fields of the wrong type left out) and its body."""
    try:
        matter, body, _line = split_front_matter(text.replace("\r\n", "\n"))
    except ContentError:
        return {"body": text}
    kept = {
        name: value
        for name, value in matter.items()
        if name in FIELDS and of_type(value, FIELDS[name])
    }
    return {**kept, "body": body.strip("\n")}


def title_of(text: str, default: str) -> str:
    title = values(text).get("title")
    return title if isinstance(title, str) and title.strip() else default


@dataclass
class Problems:
    """What ``publishing.check`` found, placed by field: shown on the form
    beside each field, and in the summary above."""

    general: list[str] = field(default_factory=list)  # the document as a whole
    by_field: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.general or self.by_field)


def placed(text: str, checked: publishing.Checked) -> Problems:
    found = Problems()
    for line, reason in checked.errors:
        where, number = rules.place(text, line)
        if where == "body":
            found.by_field.setdefault("body", []).append(
                _("Line %(number)d of the text: %(reason)s", number=number, reason=reason)
            )
        elif where in FIELDS:
            found.by_field.setdefault(where, []).append(reason)
        else:
            found.general.append(reason)
    found.warnings = [reason for _line, reason in checked.warnings]
    return found


def onto(form: ContentForm, problems: Problems) -> None:
    """The check's problems as the fields' errors (a field the form does
    not show, such as a translation's dates, goes to the summary)."""
    for name, reasons in problems.by_field.items():
        shown = form._fields.get(name)
        if shown is None or (name in LOCKED and form.locked):
            problems.general += reasons
        else:
            shown.errors = [*shown.errors, *reasons]


# The preview: the page as residents will read it.


@contextmanager
def reading_in(lang: str) -> Iterator[None]:
    """Render as a visitor reading in ``lang`` would see (her words, the
    helplines named in her language), then back to the staff page's."""
    cached = ("lang_code", "content_placeholders", "helplines")
    saved = {name: g.get(name) for name in cached if name in g}
    for name in cached:
        g.pop(name, None)
    g.lang_code = lang
    try:
        with force_locale(lang):
            yield
    finally:
        for name in cached:
            g.pop(name, None)
        for name, value in saved.items():
            setattr(g, name, value)


def resident_view(kind: str, lang: str, checked: publishing.Checked) -> tuple[Markup, dict]:
    """The document as residents will read it, by the live site's renderer,
    and its words as shown (placeholders filled); (None, None) when it
    cannot be read at all."""
    if checked.document is None:
        return None, None
    with reading_in(lang):
        shown = content_routes.shown(checked.document)
        html = render_template(
            "staff/resident.html", doc=shown, kind=kind, direction=direction(lang)
        )
    return Markup(html), shown  # noqa: S704 (a template's output: Jinja escaped it, nh3 the body)


# The list.


@dataclass
class Row:
    kind: str
    slug: str
    title: str
    public: str  # rules.LIVE, SCHEDULED, ENDED, NOT_PUBLISHED
    change: str | None  # rules.DRAFT, WAITING or None
    translations: list[rules.Translation]

    @property
    def languages(self) -> list[tuple[str, list[str]]]:
        """Its languages grouped by state, what needs doing first."""
        return rules.at_a_glance(self.translations)


def overview(versions: list[ContentVersion], languages: tuple[str, ...]) -> list[Row]:
    """One row per document: what residents see of it, and of each language."""
    documents: dict[tuple[str, str], dict[str, dict[str, ContentVersion]]] = {}
    for version in versions:
        slot = rules.PUBLISHED if version.state == rules.PUBLISHED else "open"
        documents.setdefault((version.kind, version.slug), {}).setdefault(version.lang, {})[
            slot
        ] = version
    day, rows = today(), []
    for (kind, slug), langs in sorted(documents.items()):
        english = langs.get("en", {})
        live, open_ = english.get(rules.PUBLISHED), english.get("open")
        shown = values(live.text) if live else {}
        rows.append(
            Row(
                kind=kind,
                slug=slug,
                title=title_of((live or open_).text, slug) if (live or open_) else slug,
                public=rules.public_state(
                    live is not None, shown.get("publish_from"), shown.get("publish_until"), day
                ),
                change=rules.change_under_way(
                    [v["open"].state for v in langs.values() if "open" in v]
                ),
                translations=[
                    rules.Translation(
                        lang=lang,
                        published=rules.PUBLISHED in langs.get(lang, {}),
                        draft=langs.get(lang, {}).get("open") and langs[lang]["open"].state,
                        stale=lang != "en"
                        and rules.PUBLISHED in langs.get(lang, {})
                        and rules.is_stale(
                            live.approved_at if live else None,
                            langs[lang][rules.PUBLISHED].approved_at,
                        ),
                    )
                    for lang in languages
                ],
            )
        )
    return rows


@bp.route("/content/")
@staff_required(roles=CONTENT_ROLES)
def content_list():
    """Every page and campaign, its state and its translations at a glance;
    first, the drafts the signed-in user may approve."""
    site = settings()
    versions = publishing.current_versions(db.session())
    waiting = [
        version
        for version in versions
        if version.state == rules.WAITING
        and rules.approval_refused(version.author_names, g.staff.email, site.two_person_publishing)
        is None
    ]
    return render_template(
        "staff/content.html",
        rows=overview(versions, site.languages),
        waiting=[(version, title_of(version.text, version.slug)) for version in waiting],
        two_people=site.two_person_publishing,
    )


@bp.route("/content/new", methods=["GET", "POST"])
@staff_required(roles=CONTENT_ROLES)
def new_content():
    """A page or campaign's kind and address; then its English."""
    form = NewContentForm()
    if form.validate_on_submit():
        kind, slug = form.kind.data, form.slug.data
        taken = own_route(slug) if kind == "pages" else None
        if publishing.in_use(db.session(), kind, slug):
            form.slug.errors = [_("That address is already used. Choose another.")]
        elif taken:
            form.slug.errors = [
                _("/%(slug)s is one of the site's own pages. Choose another address.", slug=slug)
            ]
        else:
            return redirect(url_for("staff.edit_content", kind=kind, slug=slug, lang="en"))
    return render_template("staff/content_new.html", form=form), 400 if form.errors else 200


# One language of one document.


@dataclass
class Editing:
    """What the edit form needs to know of a document's language."""

    kind: str
    slug: str
    lang: str
    draft: ContentVersion | None
    current: ContentVersion | None  # published
    english: ContentVersion | None  # the English the dates follow (translations)

    @property
    def translation(self) -> bool:
        return self.lang != "en"

    def locked(self) -> dict:
        """A translation's dates and place in the lists: its English's."""
        english = values(self.english.text) if self.english else {}
        return {name: english.get(name) for name in LOCKED}

    def start(self) -> dict:
        """The form's first values: the draft, else what is published, else
        (a new translation) the English to translate."""
        for version in (self.draft, self.current, self.english if self.translation else None):
            if version is not None:
                return {**values(version.text), **(self.locked() if self.translation else {})}
        return {}


def editing(kind: str, slug: str, lang: str) -> Editing:
    session = db.session()
    english = None
    if lang != "en":
        english = publishing.published(session, kind, slug, "en") or publishing.open_draft(
            session, kind, slug, "en"
        )
    return Editing(
        kind,
        slug,
        lang,
        publishing.open_draft(session, kind, slug, lang),
        publishing.published(session, kind, slug, lang),
        english,
    )


def show_form(doc: Editing, form: ContentForm, problems: Problems | None = None, status=200):
    site = settings()
    problems = problems or Problems()
    return render_template(
        "staff/content_edit.html",
        doc=doc,
        form=form,
        problems=problems,
        locked=doc.locked() if doc.translation else {},
        two_people=site.two_person_publishing,
        direction=direction(doc.lang),
        action_form=ActionForm(),
    ), status


def kept_when_signed_out(view):
    """A staff session ends after some minutes without a request, and a
    campaign can take longer than that to write: a post from this browser's
    own form (its CSRF token is still good) after that gives back what was
    typed, and nothing else (no draft, nothing from the database), with the
    way to sign in again and save it. Signing out on purpose ends the token
    too, and then this gives nothing back."""

    @wraps(view)
    def wrapper(kind, slug, lang):
        if request.method == "POST" and g.staff is None and kind in rules.EDITABLE_KINDS:
            form = ContentForm(kind=kind, locked=False)
            if form.csrf_token.validate(form):
                return render_template(
                    "staff/content_signed_out.html",
                    form=form,
                    kind=kind,
                    action=request.path,
                    posted=request.form,
                    minutes=current_app.config.get(
                        "STAFF_IDLE_MINUTES", settings().staff_idle_minutes
                    ),
                )
        return view(kind, slug, lang)

    return wrapper


@bp.route("/content/<kind>/<slug:slug>/<lang>", methods=["GET", "POST"])
@kept_when_signed_out
@staff_required(roles=CONTENT_ROLES)
def edit_content(kind, slug, lang):
    """Write one language of a document. Save draft, Preview, Ask for
    approval (Publish, for a one-person team), Discard draft. The form checks
    its own CSRF token (exempt below from the global check), so that a page
    open past the token's lifetime keeps what was typed."""
    known(kind, lang)
    doc = editing(kind, slug, lang)
    if doc.translation and doc.english is None:
        flash(_("Write the English first: a translation follows its dates."))
        return redirect(url_for("staff.edit_content", kind=kind, slug=slug, lang="en"))
    if request.method == "GET":
        form = ContentForm(kind=kind, locked=doc.translation, formdata=None, data=doc.start())
        return show_form(doc, form)
    action = request.form.get("action", "save")
    form = ContentForm(kind=kind, locked=doc.translation)
    if doc.translation:  # never what was posted: the English's
        for name, value in doc.locked().items():
            form[name].data, form[name].raw_data = value, []
    if not form.csrf_token.validate(form):
        # Open too long (or forged): nothing changes, and what was typed is
        # shown again with a fresh token, never lost to an error page.
        return show_form(doc, form, status=400)
    if action == "discard":
        return discard(doc)
    if action == "edit":  # back from the preview, with what was typed
        return show_form(doc, form)
    if not form.validate():
        return show_form(doc, form, status=400)
    text = compose(form.matter(), form.body.data)
    if action == "preview":
        return preview_page(doc, text, form)
    return change(doc, form, text, action)


csrf.exempt(edit_content)


def change(doc: Editing, form: ContentForm, text: str, action: str):
    """Save the draft; then, if asked, send it for approval or publish it."""
    session, who, at = db.session(), g.staff.email, now()
    two_people = settings().two_person_publishing
    draft = publishing.save_draft(session, doc.kind, doc.slug, doc.lang, text, who, at)
    if action not in ("submit", "publish") or (action == "publish" and two_people):
        session.commit()
        flash(_("Draft saved. Residents do not see it until it is published."))
        return redirect(url_for("staff.edit_content", kind=doc.kind, slug=doc.slug, lang=doc.lang))
    checked = check(doc.kind, doc.slug, doc.lang, text)
    problems = placed(text, checked)
    if not checked.publishable:
        session.commit()  # what was typed is kept, as a draft
        onto(form, problems)
        problems.general.insert(0, _("Saved as a draft. Fix these problems, then try again."))
        doc.draft = draft
        return show_form(doc, form, problems, status=400)
    try:
        if action == "submit":
            if draft.state == rules.DRAFT:
                publishing.submit(session, draft, who, at)
        else:
            publishing.approve(session, draft.id, who, at, two_people, checked)
    except publishing.Refused as refused:
        session.rollback()
        flash(refusal(refused.reason))
        return redirect(url_for("staff.edit_content", kind=doc.kind, slug=doc.slug, lang=doc.lang))
    session.commit()
    if action == "submit":
        flash(_("Sent for approval. Another member of the team must approve it."))
    else:
        published_changed()
        flash(_("Published. Residents see it on its dates, within a few seconds."))
    return redirect(url_for("staff.content_list"))


def discard(doc: Editing):
    session = db.session()
    try:
        if doc.draft is None:
            raise publishing.Refused("not-open")
        publishing.discard(session, doc.draft, g.staff.email, now())
    except publishing.Refused as refused:
        session.rollback()
        flash(refusal(refused.reason))
        return redirect(url_for("staff.edit_content", kind=doc.kind, slug=doc.slug, lang=doc.lang))
    session.commit()
    flash(_("Draft discarded."))
    return redirect(url_for("staff.content_list"))


def preview_page(doc: Editing, text: str, form: ContentForm | None = None, version=None):
    """The page as residents will read it, and above it what stops it being
    published. From the form (``form``: its values come back with the
    buttons) or of a saved version."""
    checked = check(doc.kind, doc.slug, doc.lang, text)
    resident, shown = resident_view(doc.kind, doc.lang, checked)
    return render_template(
        "staff/content_preview.html",
        doc=doc,
        form=form,
        version=version,
        problems=placed(text, checked),
        resident=resident,
        shown=shown,
        direction=direction(doc.lang),
        kept_text=rules.revealed(version.text) if version is not None else None,
    )


@bp.route("/content/<kind>/<slug:slug>/<lang>/preview")
@staff_required(roles=CONTENT_ROLES)
def preview_content(kind, slug, lang):
    """The saved draft (else what is published) as residents will read it."""
    known(kind, lang)
    doc = editing(kind, slug, lang)
    version = doc.draft or doc.current
    if version is None:
        abort(404)
    return preview_page(doc, version.text, version=version)


@bp.route("/content/versions/<int:version_id>")
@staff_required(roles=CONTENT_ROLES)
def content_version(version_id):
    """Any version: its text, and the page as it would be read."""
    version = db.session().get(ContentVersion, version_id)
    if version is None or version.kind not in rules.EDITABLE_KINDS:
        abort(404)
    if version.lang not in settings().languages:
        abort(404)
    doc = editing(version.kind, version.slug, version.lang)
    return preview_page(doc, version.text, version=version)


# Approval.


@bp.route("/content/<kind>/<slug:slug>/<lang>/approve", methods=["GET", "POST"])
@staff_required(roles=CONTENT_ROLES)
def approve_content(kind, slug, lang):
    """A draft waiting for approval: who wrote it, what changed, and Approve
    or Send back (never by its author while two people must publish)."""
    known(kind, lang)
    site = settings()
    doc = editing(kind, slug, lang)
    draft = doc.draft
    here = url_for("staff.approve_content", kind=kind, slug=slug, lang=lang)
    if request.method == "POST":
        return decide(
            doc,
            request.form.get("action"),
            request.form.get("version", type=int),
            request.form.get("read", ""),
        )
    if draft is None or (site.two_person_publishing and draft.state != rules.WAITING):
        flash(_("Nothing is waiting for approval here."))
        return redirect(url_for("staff.edit_content", kind=kind, slug=slug, lang=lang))
    checked = check(kind, slug, lang, draft.text)
    return render_template(
        "staff/content_approve.html",
        doc=doc,
        draft=draft,
        here=here,
        diff=rules.marked_diff(
            rules.line_diff(doc.current.text if doc.current else "", draft.text)
        ),
        problems=placed(draft.text, checked),
        refused=rules.approval_refused(
            draft.author_names, g.staff.email, site.two_person_publishing
        ),
        form=ActionForm(),
        read=rules.digest(draft.text),
    )


def decide(doc: Editing, action: str | None, version_id: int | None, read: str):
    """Approve or send back the version the page showed; an approval only of
    the text it showed (``read``: its digest)."""
    session, who, at = db.session(), g.staff.email, now()
    site = settings()
    here = url_for("staff.approve_content", kind=doc.kind, slug=doc.slug, lang=doc.lang)
    draft = session.get(ContentVersion, version_id) if version_id else None
    if draft is None or (draft.kind, draft.slug, draft.lang) != (doc.kind, doc.slug, doc.lang):
        flash(refusal("gone"))
        return redirect(url_for("staff.content_list"))
    try:
        if action == "send_back":
            publishing.send_back(session, draft, who, at)
        elif action == "approve":
            if read != rules.digest(draft.text):
                raise publishing.Refused("changed")
            checked = check(doc.kind, doc.slug, doc.lang, draft.text)
            publishing.approve(session, draft.id, who, at, site.two_person_publishing, checked)
        else:
            abort(400)
    except publishing.Refused as refused:
        session.rollback()
        flash(refusal(refused.reason))
        return redirect(here)
    session.commit()
    if action == "approve":
        published_changed()
        flash(_("Approved and published. Residents see it on its dates, within a few seconds."))
    else:
        flash(_("Sent back to its author as a draft."))
    return redirect(url_for("staff.content_list"))


# History, restore, take down.


@bp.route("/content/<kind>/<slug:slug>/<lang>/history")
@staff_required(roles=CONTENT_ROLES)
def content_history(kind, slug, lang):
    known(kind, lang)
    doc = editing(kind, slug, lang)
    versions = publishing.history(db.session(), kind, slug, lang)
    if not versions:
        abort(404)
    return render_template(
        "staff/content_history.html", doc=doc, versions=versions, form=ActionForm()
    )


@bp.route("/content/versions/<int:version_id>/restore", methods=["POST"])
@staff_required(roles=CONTENT_ROLES)
def restore_content(version_id):
    """An earlier version's text as a new draft, approved like any other."""
    session = db.session()
    try:
        draft = publishing.restore(session, version_id, g.staff.email, now())
    except publishing.Refused as refused:
        session.rollback()
        flash(refusal(refused.reason))
        old = session.get(ContentVersion, version_id)
        if old is None or old.kind not in rules.EDITABLE_KINDS:
            return redirect(url_for("staff.content_list"))
        return redirect(
            url_for("staff.content_history", kind=old.kind, slug=old.slug, lang=old.lang)
        )
    session.commit()
    flash(_("Restored as a draft. Ask for approval to publish it again."))
    return redirect(
        url_for("staff.edit_content", kind=draft.kind, slug=draft.slug, lang=draft.lang)
    )


@bp.route("/content/<kind>/<slug:slug>/<lang>/unpublish", methods=["GET", "POST"])
@staff_required(roles=CONTENT_ROLES)
def unpublish_content(kind, slug, lang):
    """Take a language down at once (the English: every language)."""
    known(kind, lang)
    doc = editing(kind, slug, lang)
    if request.method == "GET":
        if doc.current is None:
            flash(_("This is not published."))
            return redirect(url_for("staff.content_history", kind=kind, slug=slug, lang=lang))
        return render_template("staff/content_unpublish.html", doc=doc, form=ActionForm())
    session = db.session()
    try:
        taken = publishing.unpublish(session, kind, slug, lang, g.staff.email, now())
    except publishing.Refused as refused:
        session.rollback()
        flash(refusal(refused.reason))
        return redirect(url_for("staff.content_history", kind=kind, slug=slug, lang=lang))
    session.commit()
    published_changed()
    flash(
        ngettext(
            "Taken down: residents no longer see it (%(num)d language).",
            "Taken down: residents no longer see it (%(num)d languages).",
            len(taken),
        )
    )
    return redirect(url_for("staff.content_history", kind=kind, slug=slug, lang=lang))

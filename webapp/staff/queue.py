"""The callback queue: first the news from residents' way backs (what they
asked of us that no officer has dealt with yet, open referrals and closed
alike, the soonest due first), then open referrals by due time, then
priority; and finding a referral by the reference a caller reads out."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from webapp import db
from webapp.clock import now
from webapp.referrals.models import Referral
from webapp.rules import wayback
from webapp.rules.contact import URGENT_FLAGS
from webapp.rules.reference import normalise
from webapp.staff.models import StaffUser
from webapp.staff.web import bp, staff_required
from webapp.wayback.models import WayBackEntry

DUE_SOON = timedelta(hours=2)


@bp.route("/find")
@staff_required
def find_reference():
    """A reference as a caller reads it out ("k7m 4qp") to the referral's page."""
    typed = request.args.get("reference", "")[:40]
    reference = normalise(typed)
    if reference and db.session().scalar(
        select(Referral.id).where(Referral.reference == reference)
    ):
        return redirect(url_for("staff.referral", reference=reference))
    flash(
        _(
            "No referral has the reference %(typed)s. References look like K7M-4QP.",
            typed=typed.strip() or "–",
        )
    )
    return redirect(url_for("staff.queue"))


FILTERS = ("all", "mine", "unassigned", "overdue")
PAGE_SIZE = 100
NEWS_SIZE = 100
URGENT_NEWS = frozenset({wayback.PRESSURE, wayback.STOP})  # shown in red


def news(moment) -> list[dict]:
    """Referrals with something she asked of us not yet dealt with, the
    soonest due first: only the kinds and times, kept in clear."""
    rows = (
        db.session()
        .execute(
            select(
                Referral.reference,
                Referral.status,
                WayBackEntry.kind,
                WayBackEntry.due_at,
                WayBackEntry.at,
            )
            .join(Referral, Referral.id == WayBackEntry.referral_id)
            .where(
                WayBackEntry.kind.in_(sorted(wayback.NEEDS_ACTION)),
                WayBackEntry.dealt_at.is_(None),
            )
            .order_by(WayBackEntry.at)
        )
        .all()
    )
    found: dict[str, dict] = {}
    for reference, status, kind, due_at, at in rows:
        item = found.setdefault(
            reference, {"reference": reference, "status": status, "kinds": [], "due_at": None}
        )
        if kind not in item["kinds"]:
            item["kinds"].append(kind)
        due_at = due_at or at  # what has no promise is due at once
        if item["due_at"] is None or due_at < item["due_at"]:
            item["due_at"] = due_at
    items = sorted(found.values(), key=lambda item: (item["due_at"], item["reference"]))
    for item in items:
        item["overdue"] = item["due_at"] < moment
        # The pressure warning is what to read first on the referral's page.
        item["anchor"] = "pressure" if wayback.PRESSURE in item["kinds"] else "way-back"
    return items[:NEWS_SIZE]


@bp.route("/", defaults={"show": "all"})
@bp.route("/<any(mine, unassigned, overdue):show>")
@staff_required
def queue(show):
    """Open referrals by due time, then priority, a page at a time. Nothing is
    unsealed here: the list is built from the columns kept in clear."""
    moment = now()
    query = select(Referral).where(Referral.status == "open")
    if show == "mine":
        query = query.where(Referral.assigned_to == g.staff.id)
    elif show == "unassigned":
        query = query.where(Referral.assigned_to.is_(None))
    elif show == "overdue":
        query = query.where(Referral.due_at < moment)
    # Kind and language narrow any of these; they name no person, so the query
    # string is fine here (this is the staff side).
    kind = request.args.get("kind") if request.args.get("kind") in ("self", "concern") else None
    language = request.args.get("language", "")[:8] or None
    if kind:
        query = query.where(Referral.kind == kind)
    if language:
        query = query.where(Referral.language == language)
    total = db.session().scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    referrals = (
        db.session()
        .scalars(
            query.order_by(Referral.due_at, Referral.priority, Referral.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
        .all()
    )
    officers = dict(db.session().execute(select(StaffUser.id, StaffUser.email)).all())
    rows = [
        {
            "referral": referral,
            "overdue": referral.due_at < moment,
            "due_soon": moment <= referral.due_at < moment + DUE_SOON,
            "assignee": officers.get(referral.assigned_to),
        }
        for referral in referrals
    ]
    languages = (
        db.session()
        .scalars(
            select(Referral.language)
            .where(Referral.status == "open")
            .distinct()
            .order_by(Referral.language)
        )
        .all()
    )

    def page_url(number: int) -> str:
        args = {"kind": kind, "language": language, "page": number if number > 1 else None}
        return url_for(request.endpoint, **request.view_args, **args)

    paging = {
        "page": page,
        "pages": pages,
        "total": total,
        "previous": page_url(page - 1) if page > 1 else None,
        "next": page_url(page + 1) if page < pages else None,
    }
    return render_template(
        "staff/queue.html",
        news=news(moment),
        urgent_news=URGENT_NEWS,
        rows=rows,
        show=show,
        filters=FILTERS,
        kind=kind,
        language=language,
        languages=languages,
        paging=paging,
        urgent=URGENT_FLAGS,
    )

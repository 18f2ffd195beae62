"""Reports: counts and timings only; nothing here names or describes a person.
The figures are worked out by ``webapp/rules/reports.py``."""

from __future__ import annotations

from flask import Response, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import db
from webapp.referrals.models import Referral, ReferralFact
from webapp.rules import reports as figures
from webapp.rules.contact import REPORT_ROLES
from webapp.staff.web import bp, staff_required


def all_facts(session: Session) -> list[figures.Fact]:
    """A fact for every referral, open, closed or purged."""
    facts = [figures.fact(referral) for referral in session.scalars(select(Referral))]
    facts += [
        figures.Fact(
            kept.week,
            kept.kind,
            kept.language,
            kept.contactable,
            kept.contacted_within_promise,
            kept.minutes_to_first_contact,
            kept.outcome,
        )
        for kept in session.scalars(select(ReferralFact))
    ]
    return facts


@bp.route("/reports")
@staff_required(roles=REPORT_ROLES)
def reports():
    """Counts and timings only: nothing here names or describes a person."""
    summary = figures.summarise(all_facts(db.session()))
    return render_template("staff/reports.html", summary=summary)


@bp.route("/reports.csv")
@staff_required(roles=REPORT_ROLES)
def reports_csv():
    summary = figures.summarise(all_facts(db.session()))
    return Response(
        figures.as_csv(summary),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quietdoor-referrals-by-week.csv"},
    )

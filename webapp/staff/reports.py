"""Reports: counts and timings only; nothing here names or describes a person.
The figures, and what is held back so that no one can be singled out, are
worked out by ``webapp/rules/reports.py``; the chart's layout by
``webapp/rules/chart.py``."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_babel import gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import db
from webapp.clock import now
from webapp.referrals.models import Referral, ReferralFact
from webapp.rules import chart as charts
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


def chosen_period() -> str:
    """``?weeks=4|13|52|all``; anything else is the default."""
    period = request.args.get("weeks", figures.DEFAULT_PERIOD)
    return period if period in figures.PERIODS else figures.DEFAULT_PERIOD


def report() -> figures.Report:
    return figures.summarise(
        all_facts(db.session()),
        now(),
        current_app.config["SITE"].report_minimum,
        chosen_period(),
    )


def period_name(weeks: int | None) -> str:
    if weeks is None:
        return gettext("All weeks")
    return ngettext("The last %(num)d week", "The last %(num)d weeks", weeks)


@bp.route("/reports")
@staff_required(roles=REPORT_ROLES)
def reports():
    """Counts and timings only: nothing here names or describes a person."""
    summary = report()
    chart = charts.layout(
        [(w.start, w.referrals.value, w.share_within_promise) for w in summary.weeks],
        hidden_up_to=summary.minimum - 1,
    )
    return render_template(
        "staff/reports.html",
        summary=summary,
        chart=chart,
        periods=[(key, period_name(weeks)) for key, weeks in figures.PERIODS.items()],
        figures=figures,
    )


@bp.route("/reports.csv")
@staff_required(roles=REPORT_ROLES)
def reports_csv():
    return Response(
        figures.as_csv(report()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quietdoor-referrals-by-week.csv"},
    )

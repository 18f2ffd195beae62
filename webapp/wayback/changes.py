"""“Change how and when we contact you”: the journey's own contact questions,
with the same forms and checks, in the same order, started from what she
told us last."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from webapp.referrals.journeys import ASK, CONCERN, Journey, Step, method_is
from webapp.rules import contact
from webapp.wayback.forms import WriteHereForm

SELF_STEPS = (
    "contact",
    "phone",
    "email",
    "support-worker",
    "meeting-place",
    "safe-times",
    "messages",
    "withheld-number",
    "someone-else",
    "code-word",
    "letters",
    "trusted-person",
)
WRITE_HERE = Step(
    "write-here",
    WriteHereForm,
    _l("May we also write to you here?"),
    applies=method_is(lambda method: method.reach != contact.PASSPHRASE),
)

CHANGES = {
    "self": Journey(
        kind="self",
        slug="ask",
        title=ASK.title,
        steps=(*(ASK.step(slug) for slug in SELF_STEPS), WRITE_HERE),
    ),
    "concern": Journey(
        kind="concern",
        slug="concern",
        title=CONCERN.title,
        steps=(CONCERN.step("your-details"), WRITE_HERE),
    ),
}


def fields(journey: Journey) -> set[str]:
    """Every answer the change can set (or drop, when its page no longer applies)."""
    return {
        name
        for step in journey.steps
        for klass in step.form.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField) and name != "website"
    }


def changed_contact(kind: str, latest: dict, answers: dict) -> dict:
    """Her whole contact part after the change: what the change asks about
    comes from ``answers`` (only for the pages that apply now); everything
    else she told us (language, access needs) stays as it was."""
    journey = CHANGES[kind]
    kept = journey.kept_answers(answers)
    asked = fields(journey)
    new = {name: value for name, value in latest.items() if name not in asked}
    new |= {name: value for name, value in kept.items() if name in contact.CONTACT_FIELDS[kind]}
    return new

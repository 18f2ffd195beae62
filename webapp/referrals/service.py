"""From a finished journey's answers to a sealed referral with a due time."""

from __future__ import annotations

from datetime import datetime, time

from nacl.public import PublicKey

from webapp.referrals import due as due_rules
from webapp.referrals.journeys import Journey
from webapp.referrals.sealing import seal
from webapp.referrals.store import NewReferral
from webapp.settings import DAYS, Settings

BANDS = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
}
DANGER_NOW = "danger_now"
NO_SAFE_WINDOW = due_rules.NO_SAFE_WINDOW
NO_CONTACT = "no_contact"  # the person asked not to be contacted
ANONYMOUS = "anonymous"  # a concern whose reporter left no way back


def safe_windows(answers: dict) -> list[due_rules.Window] | None:
    """The weekly windows the person said are safe; None means any time."""
    if answers.get("any_time") or not answers.get("days") or not answers.get("bands"):
        return None
    return [
        due_rules.Window(DAYS.index(day), *BANDS[band])
        for day in answers["days"]
        if day in DAYS
        for band in answers["bands"]
        if band in BANDS
    ]


METHOD_FIELD = {"self": "method", "concern": "reporter_method"}


def contact_method(journey: Journey, answers: dict) -> str:
    return answers.get(METHOD_FIELD[journey.kind]) or "none"


def split(journey: Journey, answers: dict) -> dict:
    """The sealed payload: ``contact`` (method first) and the other ``answers``."""
    method_field = METHOD_FIELD[journey.kind]
    contact = {"method": contact_method(journey, answers)}
    contact |= {
        k: v for k, v in answers.items() if k in journey.contact_fields and k != method_field
    }
    rest = {k: v for k, v in answers.items() if k not in journey.contact_fields}
    return {"contact": contact, "answers": rest}


def build(
    journey: Journey,
    answers: dict,
    language: str,
    received: datetime,
    settings: Settings,
    public_key: PublicKey,
) -> NewReferral:
    answers = journey.kept_answers(answers)
    method = contact_method(journey, answers)
    promised = due_rules.promise(
        received,
        settings.promise,
        settings.office_hours,
        due_rules.bank_holidays(settings.holidays_subdivision),
        settings.promise_hours,
    )
    windows = safe_windows(answers) if journey.kind == "self" else None
    due = due_rules.due_time(received, promised, windows)
    flags = list(due.flags)
    if answers.get("danger") == "yes":
        flags.insert(0, DANGER_NOW)
    if method == "none":
        flags.append(NO_CONTACT if journey.kind == "self" else ANONYMOUS)
    return NewReferral(
        kind=journey.kind,
        language=language,
        received_at=received,
        promise_at=due.promise,
        due_at=due.due,
        window_end=due.window_end,
        flags=tuple(flags),
        priority=1 if DANGER_NOW in flags else 2,
        contact_method=method,
        sealed=seal(public_key, split(journey, answers)),
    )

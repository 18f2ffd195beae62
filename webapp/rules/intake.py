"""From a finished journey's answers to a sealed referral with a due time.

Takes plain values: the kind ("self" or "concern"), the answers as a dict,
the language, when it arrived, the landlord's promise and the public key.
Knows no form and no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nacl.public import PublicKey

from webapp.rules import contact, due
from webapp.rules.sealing import seal

# Before December 2026 a concern's draft kept the reporter's choice as
# "reporter_method"; sealed referrals always said "method". Drafts live 30
# minutes, so only one in flight during an upgrade can have the old shape.
OLD_METHOD_FIELDS = {"concern": "reporter_method"}


def current_shape(kind: str, answers: dict) -> dict:
    """Answers in today's shape, whatever shape they were kept in."""
    old = OLD_METHOD_FIELDS.get(kind)
    if old and old in answers:
        answers = dict(answers)
        answers.setdefault(contact.METHOD_FIELD, answers.pop(old))
        answers.pop(old, None)
    return answers


def method_of(answers: dict) -> contact.Method:
    return contact.method(answers.get(contact.METHOD_FIELD))


def safe_windows(answers: dict) -> list[due.Window] | None:
    """The weekly windows the person said are safe; None means any time."""
    if answers.get("any_time") or not answers.get("days") or not answers.get("bands"):
        return None
    return [
        due.Window(contact.DAYS.index(day), *contact.BANDS[band])
        for day in answers["days"]
        if day in contact.DAYS
        for band in answers["bands"]
        if band in contact.BANDS
    ]


def split(kind: str, answers: dict) -> dict:
    """The sealed payload: ``contact`` (the method first) and the other ``answers``."""
    fields = contact.CONTACT_FIELDS[kind]
    contact_part = {contact.METHOD_FIELD: method_of(answers).code}
    contact_part |= {k: v for k, v in answers.items() if k in fields and k != contact.METHOD_FIELD}
    rest = {k: v for k, v in answers.items() if k not in fields}
    return {"contact": contact_part, "answers": rest}


@dataclass(frozen=True)
class NewReferral:
    kind: str
    language: str
    received_at: datetime
    promise_at: datetime
    due_at: datetime
    window_end: datetime | None
    flags: tuple[str, ...]
    priority: int
    contact_method: str
    sealed: bytes


def build(
    kind: str,
    answers: dict,
    language: str,
    received: datetime,
    promise: due.Promise,
    public_key: PublicKey,
) -> NewReferral:
    """``answers`` are those of the steps that apply (``Journey.kept_answers``)."""
    method = method_of(answers)
    windows = safe_windows(answers) if kind == "self" and method.safe_times else None
    timing = due.due_time(received, promise.after(received), windows)
    flags = list(timing.flags)
    if answers.get("danger") == "yes":
        flags.insert(0, contact.DANGER_NOW)
    if method is contact.NO_CONTACT:
        flags.append(contact.ASKED_NO_CONTACT if kind == "self" else contact.ANONYMOUS)
    return NewReferral(
        kind=kind,
        language=language,
        received_at=received,
        promise_at=timing.promise,
        due_at=timing.due,
        window_end=timing.window_end,
        flags=tuple(flags),
        priority=1 if contact.DANGER_NOW in flags else 2,
        contact_method=method.code,
        sealed=seal(public_key, split(kind, answers)),
    )

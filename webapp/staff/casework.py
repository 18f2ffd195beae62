"""The safe-contact rules of a referral, and which of them an attempt breaks.

Plain Python, no Flask. The person said how and when we may contact them;
an officer may still need to set a rule aside (the only number left is a
landline, a crisis cannot wait for the evening), but only knowingly: each rule
an attempt breaks must be overridden with a reason, which is sealed and
audited. After ``attempts_before_alternative`` failed tries, the trusted
person the resident named becomes a safe channel too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.referrals import due as due_rules
from webapp.referrals.service import safe_windows

# How an officer may try to reach someone (the resident's own choices, plus a
# letter and the trusted person they named).
METHODS = ("call", "text", "email", "agency", "in_person", "letter", "trusted")
OUTCOMES = ("spoke", "no_answer", "not_safe", "wrong_person", "message_left")
FAILED = frozenset(OUTCOMES) - {"spoke"}
CLOSE_OUTCOMES = ("support_agreed", "idva", "marac", "declined", "unreachable")
RULES = ("channel", "time", "message")  # what an override can set aside


@dataclass(frozen=True)
class Trusted:
    name: str
    contact: str
    relationship: str


@dataclass(frozen=True)
class SafeContact:
    method: str  # what the person chose; "none" for no contact
    windows: tuple[due_rules.Window, ...] | None  # None: any time
    voicemail: str | None  # "yes", "no_name", "no" or None (not asked)
    letters: bool
    trusted: Trusted | None


def safe_contact(kind: str, contact: dict) -> SafeContact:
    """The rules, from the sealed ``contact`` part of a referral (method first)."""
    method = contact.get("method") or "none"
    if kind != "self":  # a concern: we only ever call back the person who reported it
        return SafeContact(method, None, None, False, None)
    windows = safe_windows(contact) if method in ("call", "text", "in_person") else None
    trusted = None
    name, reach = ((contact.get(key) or "").strip() for key in ("trusted_name", "trusted_contact"))
    if name and reach:
        trusted = Trusted(name, reach, (contact.get("trusted_relationship") or "").strip())
    return SafeContact(
        method,
        tuple(windows) if windows is not None else None,
        contact.get("voicemail"),
        contact.get("post_safe") == "yes",
        trusted,
    )


def failed_count(outcomes: Iterable[str]) -> int:
    return sum(1 for outcome in outcomes if outcome in FAILED)


def alternative_open(rules: SafeContact, failed: int, threshold: int) -> bool:
    """Whether the page offers the trusted person now."""
    return rules.trusted is not None and failed >= threshold


def allowed_methods(rules: SafeContact, failed: int, threshold: int) -> set[str]:
    allowed = {rules.method} - {"none"}
    if rules.letters:
        allowed.add("letter")
    if alternative_open(rules, failed, threshold):
        allowed.add("trusted")
    return allowed


def in_safe_time(rules: SafeContact, at: datetime) -> bool:
    if rules.windows is None:
        return True
    day = at.astimezone(due_rules.LONDON).date()
    return any(
        start <= at < end
        for start, end in due_rules.concrete_windows(
            rules.windows, day - timedelta(days=1), day + timedelta(days=1)
        )
    )


def broken_rules(
    rules: SafeContact, method: str, outcome: str, at: datetime, failed: int, threshold: int
) -> list[str]:
    """The rules an attempt sets aside, in the order of ``RULES``; [] when safe."""
    broken = []
    if method not in allowed_methods(rules, failed, threshold):
        broken.append("channel")
    if method in ("call", "text", "in_person") and not in_safe_time(rules, at):
        broken.append("time")
    if outcome == "message_left" and method in ("call", "text") and rules.voicemail == "no":
        broken.append("message")
    return broken

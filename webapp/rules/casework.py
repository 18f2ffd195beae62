"""The safe-contact rules of a referral, and which of them an attempt breaks.

The person said how and when we may contact them; an officer may still need
to set a rule aside (the only number left is a landline, a crisis cannot
wait for the evening), but only knowingly: each rule an attempt breaks must
be overridden with a reason, which is sealed and audited. After
``attempts_before_alternative`` failed tries, the trusted person the
resident named becomes a safe channel too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from webapp.rules import contact, due
from webapp.rules.intake import safe_windows


@dataclass(frozen=True)
class Trusted:
    name: str
    contact: str
    relationship: str


@dataclass(frozen=True)
class SafeContact:
    method: str  # what the person chose; "none" for no contact
    windows: tuple[due.Window, ...] | None  # None: any time
    voicemail: str | None  # one of contact.VOICEMAIL, or None (not asked)
    letters: bool
    trusted: Trusted | None

    @property
    def no_contact(self) -> bool:
        return self.method == contact.NO_CONTACT.code

    @property
    def never_leave_a_message(self) -> bool:
        return self.voicemail == contact.NEVER_LEAVE_A_MESSAGE


def safe_contact(kind: str, sealed_contact: dict) -> SafeContact:
    """The rules, from the sealed ``contact`` part of a referral."""
    chosen = contact.method(sealed_contact.get(contact.METHOD_FIELD))
    if kind != "self":  # a concern: we only ever call back the person who reported it
        return SafeContact(chosen.code, None, None, False, None)
    windows = safe_windows(sealed_contact) if chosen.safe_times else None
    trusted = None
    name, reach = (
        (sealed_contact.get(key) or "").strip() for key in ("trusted_name", "trusted_contact")
    )
    if name and reach:
        trusted = Trusted(name, reach, (sealed_contact.get("trusted_relationship") or "").strip())
    return SafeContact(
        chosen.code,
        tuple(windows) if windows is not None else None,
        sealed_contact.get("voicemail"),
        sealed_contact.get("post_safe") == "yes",
        trusted,
    )


def failed_count(outcomes: Iterable[str]) -> int:
    return sum(1 for outcome in outcomes if outcome in contact.FAILED_OUTCOMES)


def alternative_open(rules: SafeContact, failed: int, threshold: int) -> bool:
    """Whether the page offers the trusted person now."""
    return rules.trusted is not None and failed >= threshold


def allowed_methods(rules: SafeContact, failed: int, threshold: int) -> set[str]:
    allowed = {rules.method} - {contact.NO_CONTACT.code}
    if rules.letters:
        allowed.add(contact.LETTER.code)
    if alternative_open(rules, failed, threshold):
        allowed.add(contact.TRUSTED.code)
    return allowed


def in_safe_time(rules: SafeContact, at: datetime) -> bool:
    if rules.windows is None:
        return True
    day = at.astimezone(due.LONDON).date()
    return any(
        start <= at < end
        for start, end in due.concrete_windows(
            rules.windows, day - timedelta(days=1), day + timedelta(days=1)
        )
    )


def next_safe_time(rules: SafeContact, moment: datetime) -> datetime | None:
    """The start of the next usable safe window (``moment`` if inside one);
    None when any time is safe."""
    if rules.windows is None:
        return None
    day = moment.astimezone(due.LONDON).date()
    for start, end in due.concrete_windows(rules.windows, day, day + timedelta(days=8)):
        if end - max(start, moment) >= due.USABLE:
            return max(start, moment)
    return None


def broken_rules(
    rules: SafeContact, method: str, outcome: str, at: datetime, failed: int, threshold: int
) -> list[str]:
    """The rules an attempt sets aside, in the order of ``contact.OVERRIDABLE``;
    [] when safe."""
    tried = contact.method(method)
    broken = []
    if method not in allowed_methods(rules, failed, threshold):
        broken.append(contact.CHANNEL)
    if tried.safe_times and not in_safe_time(rules, at):
        broken.append(contact.TIME)
    if outcome == contact.MESSAGE_LEFT and tried.takes_message and rules.never_leave_a_message:
        broken.append(contact.MESSAGE)
    return broken

"""The safe-contact rules of a referral, and which of them an attempt breaks.

The person said how and when we may contact them; an officer may still need
to set a rule aside (the only number left is a landline, a crisis cannot
wait for the evening), but only knowingly: each rule an attempt breaks must
be overridden with a reason, which is sealed and audited. After
``attempts_before_alternative`` failed tries, the trusted person the
resident named becomes a safe channel too.

A way back (``rules/wayback.py``) adds to them: what she last said about
contact replaces what she first said, a message on this site is allowed
when she chose it or said we may write to her here, and two more rules hold
until she or an officer lifts them: she asked us to stop, or her second
passphrase was used (she may be under pressure) and no officer has reviewed
it yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from webapp.rules import contact, due, wayback
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
    way_back: bool = False  # she has a way back, still open
    write_here: bool = False  # she said we may write to her on this site
    stopped_since: datetime | None = None  # she asked us to stop, and has not said otherwise
    pressure_since: datetime | None = None  # her second passphrase was used, not yet reviewed

    @property
    def no_contact(self) -> bool:
        return self.method == contact.NO_CONTACT.code

    @property
    def stopped(self) -> bool:
        return self.stopped_since is not None

    @property
    def under_pressure(self) -> bool:
        return self.pressure_since is not None

    @property
    def never_leave_a_message(self) -> bool:
        return self.voicemail == contact.NEVER_LEAVE_A_MESSAGE


class Event(NamedTuple):
    """What the rules need of a way back's entry: its kind, when, and whether
    an officer has dealt with it."""

    kind: str
    at: datetime
    dealt: bool = False


@dataclass(frozen=True)
class WayBack:
    """A referral's way back, as the rules see it."""

    open: bool
    write_here: bool  # she ticked "write to me here" when she made it
    events: tuple[Event, ...] = ()  # oldest first


def current_contact(first: dict, changes: Sequence[dict]) -> dict:
    """What she said last about contact: each change she made on her way back
    is a whole new contact part, replacing the one before."""
    return dict(changes[-1]) if changes else dict(first)


def _given(value):
    return None if value in (None, "", [], False) else value


def changed_fields(first: dict, changes: Sequence[tuple[datetime, dict]]) -> dict[str, datetime]:
    """For each contact answer she changed on her way back, when she last
    changed it (``changes`` oldest first, each ``(at, contact part)``)."""
    found: dict[str, datetime] = {}
    before = first
    for at, after in changes:
        for name in set(before) | set(after):
            if _given(before.get(name)) != _given(after.get(name)):
                found[name] = at
        before = after
    return found


def stopped_since(events: Iterable[Event]) -> datetime | None:
    """When she asked us to stop, if the last she said of it was stop."""
    since = None
    for event in events:
        if event.kind == wayback.STOP:
            since = event.at
        elif event.kind == wayback.RESUMED:
            since = None
    return since


def pressure_since(events: Iterable[Event]) -> datetime | None:
    """The first time her second passphrase was used that no officer has
    reviewed yet."""
    return min((e.at for e in events if e.kind == wayback.PRESSURE and not e.dealt), default=None)


def _write_here(first: dict, changes: Sequence[dict], way_back: WayBack) -> bool:
    """Whether she said we may write to her here. Her latest change decides
    when it says either way (she can take it back); else what she said when
    she made her way back."""
    if changes and _given(changes[-1].get("write_here")) is not None:
        return changes[-1]["write_here"] == "yes"
    return way_back.write_here or first.get("write_here") == "yes"


def safe_contact(
    kind: str,
    sealed_contact: dict,
    way_back: WayBack | None = None,
    changes: Sequence[dict] = (),
) -> SafeContact:
    """The rules, from the sealed ``contact`` part of a referral, and from her
    way back when she has one: ``changes`` are the contact parts she gave
    since, oldest first; the last of them is what holds."""
    latest = current_contact(sealed_contact, changes)
    chosen = contact.method(latest.get(contact.METHOD_FIELD))
    extra = {}
    if way_back is not None:
        extra = {
            "way_back": way_back.open,
            "write_here": _write_here(sealed_contact, changes, way_back),
            "stopped_since": stopped_since(way_back.events),
            "pressure_since": pressure_since(way_back.events),
        }
    if kind != "self":  # a concern: we only ever call back the person who reported it
        return SafeContact(chosen.code, None, None, False, None, **extra)
    windows = safe_windows(latest) if chosen.safe_times else None
    trusted = None
    name, reach = ((latest.get(key) or "").strip() for key in ("trusted_name", "trusted_contact"))
    if name and reach:
        trusted = Trusted(name, reach, (latest.get("trusted_relationship") or "").strip())
    return SafeContact(
        chosen.code,
        tuple(windows) if windows is not None else None,
        latest.get("voicemail"),
        latest.get("post_safe") == "yes",
        trusted,
        **extra,
    )


def failed_count(outcomes: Iterable[str]) -> int:
    return sum(1 for outcome in outcomes if outcome in contact.FAILED_OUTCOMES)


def alternative_open(rules: SafeContact, failed: int, threshold: int) -> bool:
    """Whether the page offers the trusted person now."""
    return rules.trusted is not None and failed >= threshold


def allowed_methods(rules: SafeContact, failed: int, threshold: int) -> set[str]:
    """The ways she allows. (Whether any contact is allowed at all, after she
    asked us to stop or while she may be under pressure, is a rule of its
    own: ``broken_rules``.)"""
    allowed = {rules.method} - {contact.NO_CONTACT.code, contact.SITE.code}
    if rules.way_back and (rules.method == contact.SITE.code or rules.write_here):
        allowed.add(contact.SITE.code)
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
    if rules.stopped_since is not None and at >= rules.stopped_since:
        broken.append(contact.STOPPED)
    if rules.pressure_since is not None and at >= rules.pressure_since:
        broken.append(contact.PRESSURE)
    return broken

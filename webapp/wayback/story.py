"""What her way back shows: what has happened, the messages, whether she
asked us to stop, all opened with her private key for this one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_time
from nacl.public import PrivateKey
from sqlalchemy.orm import Session

from webapp import presentation
from webapp.rules import wayback
from webapp.wayback import store

MESSAGES = (wayback.TEAM_MESSAGE, wayback.RESIDENT_MESSAGE, wayback.ADDED)


@dataclass
class Story:
    received_at: datetime | None
    events: list[dict] = field(default_factory=list)  # {"at", "text"}, newest first
    messages: list[dict] = field(default_factory=list)  # {"at", "from_team", "text", "added"}
    stopped: bool = False
    contact: dict = field(default_factory=dict)  # the contact rules she gave last

    @classmethod
    def empty(cls, session: Session, referral_id: int, done: list[dict]) -> Story:
        """A visit under pressure: that the request arrived, and what was done
        in this visit (``done``: each ``{"kind", "at", "data"}``), shown as a
        real way back would show it, nothing else."""
        row = store.way_back_of(session, referral_id)
        story = cls(row.created_at if row else None)
        story.events.append({"at": story.received_at, "text": received_text()})
        for item in done:
            story.add(item["kind"], datetime.fromisoformat(item["at"]), item["data"])
        story.events.reverse()
        return story

    @classmethod
    def read(cls, session: Session, referral_id: int, key: PrivateKey) -> Story:
        row = store.way_back_of(session, referral_id)
        story = cls(row.created_at if row else None)
        for _id, at, kind, _mine, sealed in store.resident_entries(session, referral_id):
            opened = wayback.open_for(key, sealed)
            if opened is None or kind in wayback.STAFF_ONLY:
                continue
            story.add(kind, at, opened)
        story.events.reverse()
        return story

    def add(self, kind: str, at: datetime, opened: dict) -> None:
        if kind in MESSAGES:
            self.messages.append(
                {
                    "at": at,
                    "from_team": kind == wayback.TEAM_MESSAGE,
                    "text": opened.get("text", ""),
                    "added": kind == wayback.ADDED,
                }
            )
            return
        if kind in (wayback.RECEIVED, wayback.CONTACT_CHANGED):
            self.contact = opened.get("contact", {})
        if kind in (wayback.STOP, wayback.RESUMED):
            self.stopped = kind == wayback.STOP
        text = event_text(kind, opened)
        if text:
            self.events.append({"at": at, "text": text})


def received_text() -> str:
    return str(presentation.RECEIVED)


def event_text(kind: str, opened: dict) -> str | None:
    """One line of “what has happened”, in plain words."""
    if kind == wayback.RECEIVED:
        return received_text()
    if kind == wayback.ATTEMPT:
        return presentation.tried_text(opened.get("method"), opened.get("outcome"))
    if kind == wayback.CLOSED:
        return str(presentation.CLOSED_BECAUSE.get(opened.get("outcome"), presentation.CLOSED))
    return str(presentation.RESIDENT_EVENTS[kind]) if kind in presentation.RESIDENT_EVENTS else None


def when(at: datetime | None) -> str:
    """“Tuesday 24 November, 10:05”, in UK time and her language."""
    if at is None:
        return ""
    return f"{presentation.day_name(at)}, {format_time(at, 'HH:mm')}"


def kind_of(session: Session, referral_id: int) -> str:
    return store.way_back_of(session, referral_id).kind


def latest_contact(session: Session, visit) -> dict:
    """What she told us last (under pressure: only what was changed in this
    visit, from nothing)."""
    if visit.under_pressure:
        return Story.empty(session, visit.referral_id, visit.state.get("done", [])).contact
    return Story.read(session, visit.referral_id, visit.opened.private_key).contact

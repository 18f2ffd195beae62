"""The outbox: one row per message to send, kept until it is sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.db import Base, UTCDateTime

NEW, BREACH = "new", "breach"
# The resident wrote, changed her contact rules or asked something of us on
# her way back. Written by the public side with ON CONFLICT DO NOTHING: one
# row per channel until an officer has dealt with the news, when the staff
# side deletes the sent rows so that the next news is announced again.
UPDATE = "update"
# Her news was not dealt with and its due time is near: one warning per
# referral per news due time (the due time the queue shows), which ``about``
# names, so that the same news is never warned of twice.
NEWS_BREACH = "news-breach"


class Notification(Base):
    """That a referral arrived ("new"), is about to breach ("breach"), has
    news from the resident's way back ("update") or news not dealt with that
    is about to breach ("news-breach"), for one channel ("email"
    or "webhook"). Only the reference and the due time: no personal details
    ever go into a notification."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("channel", "event", "reference", "about", name="uq_notification_once"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(7))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(200), default="")
    # What a warning is about when there can be more than one per reference
    # ("news-breach": the news's due time, ISO in UTC); empty for the others,
    # so that they stay one per channel, event and reference. Never sent.
    about: Mapped[str] = mapped_column(String(32), default="", server_default="")


def enqueue(
    session: Session,
    channels: Iterable[str],
    event: str,
    reference: str,
    due_at: datetime,
    now: datetime,
    about: str = "",
) -> None:
    """Add one row per channel to the session (the caller commits)."""
    for channel in channels:
        session.add(
            Notification(
                channel=channel,
                event=event,
                reference=reference,
                due_at=due_at,
                created_at=now,
                tries=0,
                next_try_at=now,
                last_error="",
                about=about,
            )
        )


def channels(app) -> tuple[str, ...]:
    """The channels a new referral is announced on (none when none is set up):
    what ``webapp.notify.init_app`` found for this app."""
    return app.extensions.get("notify_channels", ())

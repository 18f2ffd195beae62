"""What the database keeps of a referral: only what the queue needs in clear
(when it is due, its kind and language, how to contact) and the answers
sealed with the staff's public key."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime


class Draft(Base):
    """Answers between question pages, locked with a key only the visitor holds."""

    __tablename__ = "draft"

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    locked: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (Index("ix_referral_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(7), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "self" or "concern"
    language: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    promise_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    flags: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    priority: Mapped[int] = mapped_column(Integer, default=2)  # 1: in danger now
    status: Mapped[str] = mapped_column(String(16), default="open")
    contact_method: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # use_alter: the staff_user table is the staff side's, never loaded by a
    # public process, so this key must stay out of the ORM's ordering of a
    # flush (which resolves every other key); the database keeps the constraint.
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", use_alter=True), index=True
    )
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first "spoke"
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24))

    @property
    def flag_list(self) -> list[str]:
        return [flag for flag in self.flags.split(",") if flag]


class ReferralFact(Base):
    """What is kept of a purged referral: anonymous counts, nothing more (no
    reference, no day, no answers), so that the reports still add up."""

    __tablename__ = "referral_fact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    week: Mapped[date] = mapped_column(Date)  # the Monday of the week it arrived
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    contactable: Mapped[bool]  # they left a way to contact them
    contacted_within_promise: Mapped[bool]
    minutes_to_first_contact: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(24))

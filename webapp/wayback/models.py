"""What the database keeps of a way back (docs/way-back.md): locks that open
only with her passphrase, entries sealed to her key and to the staff key,
the count of failed tries per reference, and visits in progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime


class WayBack(Base):
    """A referral's way back. Nothing here opens without her passphrase; a
    closed way back keeps no lock that anything opens."""

    __tablename__ = "way_back"

    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), primary_key=True)
    # Kept here too, so that the public side finds a way back without reading
    # the referral table (its database user may not).
    reference: Mapped[str] = mapped_column(String(7), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    salt: Mapped[bytes] = mapped_column(LargeBinary)
    ops: Mapped[int] = mapped_column(Integer)
    mem: Mapped[int] = mapped_column(Integer)
    lock: Mapped[bytes] = mapped_column(LargeBinary)
    pressure_lock: Mapped[bytes] = mapped_column(LargeBinary)
    write_here: Mapped[bool] = mapped_column(Boolean)  # she asked us to write to her here
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WayBackEntry(Base):
    """One thing that happened on a way back: a message, a change, an event.

    ``for_resident`` is sealed to her public key (None for what she may not
    see, and once she closed her way back); ``for_staff`` to the staff key.
    Her actions are due under the promise until an officer dealt with them.
    """

    __tablename__ = "way_back_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(24))
    by_resident: Mapped[bool] = mapped_column(Boolean)
    for_resident: Mapped[bytes | None] = mapped_column(LargeBinary)
    for_staff: Mapped[bytes | None] = mapped_column(LargeBinary)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    dealt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # use_alter: as Referral.assigned_to (a public process has no staff_user table)
    dealt_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", use_alter=True))


class WayBackTry(Base):
    """Failed tries to open the way back of one reference (known or not)."""

    __tablename__ = "way_back_try"

    reference: Mapped[str] = mapped_column(String(7), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    shut_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReturnVisit(Base):
    """A visit in progress: her opened key, locked with a key that only her
    session cookie holds. Gone on the quick exit, on leaving, or after ten
    idle minutes."""

    __tablename__ = "return_visit"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # hash of the cookie's token
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id"))
    locked: Mapped[bytes] = mapped_column(LargeBinary)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    state: Mapped[bytes | None] = mapped_column(LargeBinary)  # a change in progress, locked too

"""Staff accounts, their recovery codes, casework (contact attempts and
sealed notes), API tokens, and the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str] = mapped_column(String(255))  # sealed (credentials.seal_seed)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecoveryCode(Base):
    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(255))  # hmac1$salt$mac
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One view or change, chained to the one before by its hash."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    keyed: Mapped[bool] = mapped_column(default=False)  # an HMAC under the audit key


class AuditHead(Base):
    """The newest hash of the chain: locked while read and moved on only by
    compare-and-swap, so two writers at once can never fork the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int | None] = mapped_column(Integer)  # entries in the chain
    mac: Mapped[str | None] = mapped_column(String(64))  # of count and hash, under the audit key


class ContactAttempt(Base):
    """One try at reaching the person: when, how, and what happened.

    ``override`` names the safe-contact rules the officer chose to set aside
    ("channel", "time", "message"); their reason is sealed like the answers.
    """

    __tablename__ = "contact_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    officer_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    method: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    override: Mapped[str] = mapped_column(String(32), default="")
    sealed_reason: Mapped[bytes | None] = mapped_column(LargeBinary)


class Note(Base):
    """A case note, sealed with the public key like the answers."""

    __tablename__ = "referral_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    officer_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ApiToken(Base):
    """A token for the JSON feed, kept only as its SHA-256. It stops working
    at ``expires_at``; its ``scope`` is ``all`` (every referral) or ``open``
    (open referrals only)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(16), default="all")


class StaffSession(Base):
    """A staff sign-in, kept on the server: the cookie holds only a random id,
    of which this row keeps the SHA-256. ``stage`` is "password" between the
    password and the code, then "signed_in". Deleting the row ends it."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SignInFailure(Base):
    """Failed passwords and codes for one account from one client (a keyed
    hash of its address, never the address): the lock falls on that client,
    not on the officer signing in from where she always does."""

    __tablename__ = "staff_sign_in_failure"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    client: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

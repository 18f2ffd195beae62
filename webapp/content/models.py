"""What the database keeps of the content (docs/content.md): every version of
one language of one page, campaign or local service, its text exactly as a
``SLUG.LANG.md`` file holds it, and the serial that every publication moves
on. Public instances read only ``published_content`` (a view of the
published versions) and the serial; the staff side writes both."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import Base, UTCDateTime


class ContentVersion(Base):
    """One version of one language of one document.

    ``state``: ``draft`` (being written), ``waiting`` (for a second person's
    approval), ``published`` (what residents see), ``replaced`` (published
    until a newer version was), ``unpublished`` (taken down), ``discarded``
    (a draft thrown away). ``authors``: everyone who wrote into it, by user
    name, comma-separated ("files" for one loaded from the content folder);
    none of them may approve it while two people must publish.
    """

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    authors: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approver: Mapped[str | None] = mapped_column(String(254))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(254))
    based_on: Mapped[int | None] = mapped_column(ForeignKey("content_version.id"))

    @property
    def filename(self) -> str:
        return f"{self.slug}.{self.lang}.md"

    @property
    def author_names(self) -> list[str]:
        return [name for name in self.authors.split(",") if name]


class ContentSerial(Base):
    """One row: moved on in the same transaction as every publication."""

    __tablename__ = "content_serial"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer)

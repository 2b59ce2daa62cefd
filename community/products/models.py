"""Products, the spaces that own them, and their releases."""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.database import UTCDateTime, utcnow
from community.extensions import db
from community.spaces.models import Space

NAME_MAX = 80
SLUG_MAX = 60
DESCRIPTION_MAX = 5_000
NOTES_MAX = 20_000
VERSION_MAX = 40
#: Two to four dot-separated numbers (``1.2``, ``1.2.3``, ``2026.11``), then optionally a
#: suffix of letters and digits after a hyphen (``1.4.0-beta.2``, ``3.0-rc1``).
VERSION_PATTERN = re.compile(r"^\d{1,6}(?:\.\d{1,6}){1,3}(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?$")

product_spaces = Table(
    "product_spaces",
    db.Model.metadata,
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Column("space_id", ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Product(db.Model):
    """A product the company builds; the spaces that own it discuss it and propose ideas for it."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    spaces: Mapped[list[Space]] = relationship(
        secondary=product_spaces, order_by=Space.name, lazy="selectin"
    )

    @property
    def space_ids(self) -> set[int]:
        return {space.id for space in self.spaces}

    def __repr__(self) -> str:
        return f"<Product {self.slug!r}>"


class Release(db.Model):
    """A version of a product, shipped on a date, with notes (Markdown, sanitised on save)."""

    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("product_id", "version", name="uq_releases_product_version"),
        Index("ix_releases_product_released", "product_id", "released_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(VERSION_MAX))
    released_on: Mapped[date] = mapped_column(Date)
    notes_source: Mapped[str] = mapped_column(Text, default="")
    notes_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship()

    def __repr__(self) -> str:
        return f"<Release {self.version!r} of product {self.product_id}>"

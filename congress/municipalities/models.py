"""The list of municipalities (CBS codes, e.g. ``GM0363`` Amsterdam) that registrations may name.

One list for every edition (the municipalities do not change with an edition); no list ships with the
code: organisers import it (``flask --app wsgi congress municipalities import FILE`` or the upload in
the back office) and add or remove one at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The CBS code: "GM" and four digits (upper case, as CBS writes it).
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (CheckConstraint("length(code) = 6", name="code_length"),)

"""One Ed25519 key pair per edition: the private key signs badge codes on the server, the public key
lets check-in stations verify them offline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from congress.core.services import congress_created
from congress.database import UTCDateTime, utcnow
from congress.extensions import db


class EditionKey(db.Model):
    __tablename__ = "edition_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    congress_id: Mapped[int] = mapped_column(ForeignKey("congresses.id", ondelete="CASCADE"), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Never sent to a browser or a station; only services.sign_code reads it.
    private_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@congress_created.connect
def _make_key_pair(congress, **_kwargs) -> None:  # noqa: ANN001
    from congress.badges.services import ensure_edition_key

    ensure_edition_key(congress)

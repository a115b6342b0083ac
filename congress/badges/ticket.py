"""The e-ticket: an A4 PDF with the QR code, attached to the confirmation e-mail (rendered by the
mail worker, not in the request: ``receivers`` answers mail's ``attachment_wanted`` for "ticket")
and downloadable through the attendee's personal link."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from congress.badges.printing import badge_data
from congress.badges.render import QR_ANCHOR_PREFIX, TEMPLATES, stamp_qr_codes
from congress.extensions import db
from congress.registration.models import Registration


def ticket_pdf(registration: Registration, locale: str | None = None) -> bytes:
    """The A4 e-ticket: QR code, name, workshops with times and rooms, venue, what to bring."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first ticket, not at start-up

    locale = locale or registration.locale or "nl"
    data = badge_data(registration, locale)
    with force_locale(locale):
        html = render_template("badges/ticket.html", registration=registration, badge=data,
                               congress=registration.congress, qr_anchor=f"{QR_ANCHOR_PREFIX}0")
    document = HTML(string=html, base_url=str(TEMPLATES)).render()
    # Tagged (PDF/UA-1: structure, language, title); the QR code an artifact beside its caption.
    return document.write_pdf(finisher=stamp_qr_codes([data.code]), pdf_variant="pdf/ua-1")


def ticket_attachment(registration_id: str, locale: str) -> tuple[str, str, bytes]:
    """The e-ticket as a mail attachment: (file name, content type, bytes)."""
    registration = db.session.get(Registration, int(registration_id))
    if registration is None:
        raise LookupError(f"no registration {registration_id}")
    return f"e-ticket-{registration.congress.slug}.pdf", "application/pdf", ticket_pdf(registration, locale)

"""The e-ticket: an A4 PDF with the QR code, attached to the confirmation e-mail (rendered by the
mail worker, not in the request: ``receivers`` answers mail's ``attachment_wanted`` for "ticket")
and downloadable through the attendee's personal link.

The mail worker renders one for every confirmation, so it is kept cheap: the thread's one font
configuration (Pango's font map is never shared between threads: tests/badges/test_render_threads.py)
and the stylesheet (``templates/badges/ticket.css``) parsed once are reused by every
ticket (:func:`ticket_pdf`); :func:`ticket_pdf_plain` makes the same document the plain way (a new
font configuration, the stylesheet parsed again) and the tests compare the two."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from congress.badges.printing import badge_data
from congress.badges.render import QR_ANCHOR_PREFIX, TEMPLATES, font_config, stamp_qr_codes, stylesheet_file
from congress.extensions import db
from congress.registration.models import Registration

STYLESHEET = TEMPLATES / "ticket.css"


def _html(registration: Registration, locale: str | None) -> tuple[str, str]:
    """The ticket's HTML and the code its QR carries."""
    locale = locale or registration.locale or "nl"
    data = badge_data(registration, locale)
    with force_locale(locale):
        html = render_template("badges/ticket.html", registration=registration, badge=data,
                               congress=registration.congress, qr_anchor=f"{QR_ANCHOR_PREFIX}0")
    return html, data.code


def _write(document, code: str) -> bytes:
    # Tagged (PDF/UA-1: structure, language, title); the QR code an artifact beside its caption.
    return document.write_pdf(finisher=stamp_qr_codes([code]), pdf_variant="pdf/ua-1")


def ticket_pdf(registration: Registration, locale: str | None = None) -> bytes:
    """The A4 e-ticket: QR code, name, workshops with times and rooms, venue, what to bring."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (Pango, fonts): loaded by the first ticket, not at start-up

    html, code = _html(registration, locale)
    document = HTML(string=html, base_url=str(TEMPLATES)).render(
        stylesheets=[stylesheet_file(str(STYLESHEET))], font_config=font_config())
    return _write(document, code)


def ticket_pdf_plain(registration: Registration, locale: str | None = None) -> bytes:
    """The same e-ticket without anything reused between documents (what the tests compare
    :func:`ticket_pdf` with)."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 - heavy, as above
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy, as above

    html, code = _html(registration, locale)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=str(TEMPLATES)).render(
        stylesheets=[CSS(filename=str(STYLESHEET), font_config=fonts)], font_config=fonts)
    return _write(document, code)


def ticket_attachment(registration_id: str, locale: str) -> tuple[str, str, bytes]:
    """The e-ticket as a mail attachment: (file name, content type, bytes)."""
    registration = db.session.get(Registration, int(registration_id))
    if registration is None:
        raise LookupError(f"no registration {registration_id}")
    return f"e-ticket-{registration.congress.slug}.pdf", "application/pdf", ticket_pdf(registration, locale)

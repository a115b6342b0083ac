"""Where the network listens to the capabilities below it; ``create_app`` calls ``connect()``.

* ``registration.signals.personal_page_wanted``: the network's section of the personal page (the consent
  to join or leave, the messages received, the way to the list).
* ``registration.signals.personal_data_wanted``: the messages sent and received in the data download.
* ``registration.signals.registration_erased``: an erased person's messages, shares, reports and block go.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from markupsafe import Markup

from congress.i18n import current_language
from congress.network import queries, services
from congress.network.forms import ConsentForm
from congress.registration.models import Registration
from congress.registration.signals import personal_data_wanted, personal_page_wanted, registration_erased


def personal_section(registration: Registration, *, secret: str, **_: Any) -> Markup | None:
    if registration.erased_at is not None:
        return None
    return Markup(render_template(  # noqa: S704 - our own template, autoescaped
        "network/_personal.html", registration=registration, congress=registration.congress, secret=secret,
        lang=current_language(), listed=queries.is_listed(registration), may_look=queries.may_look(registration),
        blocked=queries.is_blocked(registration), messages=queries.inbox(registration),
        unread=queries.unread_count(registration), consent_form=ConsentForm()))


def personal_data(registration: Registration, **_: Any) -> dict:
    return queries.personal_data(registration)


def erased(registration: Registration, **_: Any) -> None:
    services.forget(registration)


def connect() -> None:
    personal_page_wanted.connect(personal_section)
    personal_data_wanted.connect(personal_data)
    registration_erased.connect(erased)

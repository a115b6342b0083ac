"""The registration form shows its length limits up front: a ``maxlength`` on each text field (from the
validation's LIMITS, the e-mail limit and a question's text limit) and the hint "Maximaal N tekens.",
tied to the field with aria-describedby."""

from __future__ import annotations

import re

from congress.extensions import db
from congress.questions.models import Question
from congress.registration.validation import EMAIL_LIMIT, LIMITS
from tests.registration.factories import form_data, open_congress


def _control(html: str, field_id: str) -> str:
    match = re.search(rf'<(input|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
    assert match, field_id
    return match.group(0)


def test_text_fields_carry_their_limit_and_say_it(client):
    congress = open_congress("lengte")
    short = Question(congress_id=congress.id, target="registration", kind="short_text", label_nl="Uw wijk",
                     max_length=80)
    long = Question(congress_id=congress.id, target="registration", kind="long_text", label_nl="Uw vraag vooraf")
    db.session.add_all([short, long])
    db.session.commit()
    html = client.get(f"/{congress.slug}/register").get_data(as_text=True)
    limits = {**LIMITS, "email": EMAIL_LIMIT, f"q_{short.id}": 80, f"q_{long.id}": 4000}
    for field_id, limit in limits.items():
        control = _control(html, field_id)
        assert f'maxlength="{limit}"' in control, control
        assert re.search(rf'aria-describedby="[^"]*\b{field_id}-limit\b', control), control
        assert re.search(rf'id="{field_id}-limit">Maximaal {limit} tekens\.<', html), field_id
    # Not on a choice or a consent.
    assert "maxlength" not in _control(html, "consent_privacy")

    english = client.get(f"/{congress.slug}/register?lang=en").get_data(as_text=True)
    assert f'id="name-limit">At most {LIMITS["name"]} characters.<' in english


def test_the_limit_is_still_checked_on_the_server(client):
    congress = open_congress("lengte-server")
    response = client.post(f"/{congress.slug}/register",
                           data=form_data(congress, 1, organisation="x" * (LIMITS["organisation"] + 1)))
    assert response.status_code == 422
    assert f"Gebruik hoogstens {LIMITS['organisation']} tekens." in response.get_data(as_text=True)

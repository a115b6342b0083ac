"""The filter forms of the audit log and the mail outbox (GET forms: no CSRF token, errors next to
the fields)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from congress.audit.queries import AuditFilters
from congress.mail.queries import STATUS_LABELS, OutboxFilters
from congress.sanitize import MAX_ID

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _sensible(_form: FlaskForm, field: DateField) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = SelectField(_l("Who"), choices=[], default="")
    action = SelectField(_l("Action"), choices=[], default="")
    kind = SelectField(_l("Kind of object"), choices=[], default="")
    edition = SelectField(_l("Edition"), choices=[], default="")
    object = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    date_from = DateField(_l("From (date)"), validators=[Optional(), _sensible])
    date_to = DateField(_l("Up to and including (date)"), validators=[Optional(), _sensible])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date lies before the start date."))

    def filters(self) -> AuditFilters:
        return AuditFilters(
            actor=self.actor.data or None, action=self.action.data or None, kind=self.kind.data or None,
            object_id=self.object.data if self.kind.data else None,
            congress_id=int(self.edition.data) if self.edition.data else None,
            date_from=self.date_from.data, date_to=self.date_to.data,
        )


class OutboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[("", _l("All"))] + list(STATUS_LABELS.items()), default="")
    recipient = SearchField(_l("Recipient (part of the address)"), validators=[Optional(), Length(max=254)])

    def filters(self) -> OutboxFilters:
        return OutboxFilters(status=self.status.data or None, recipient=(self.recipient.data or "").strip() or None)

"""The network's forms: each POST carries a CSRF token (Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf

from congress.network.models import MESSAGE_LIMIT, REASON_LIMIT
from congress.questions.queries import MaxLength, Required


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[Required(), MaxLength(MESSAGE_LIMIT)],
                         description=_l("Your e-mail address is not sent with it."), render_kw={"rows": 5})
    send = SubmitField(_l("Send message"))


class ShareForm(FlaskForm):
    share = SubmitField(_l("Share my e-mail address"))


class ReportForm(FlaskForm):
    reason = TextAreaField(_l("Why do you report this message? (optional)"), validators=[MaxLength(REASON_LIMIT)],
                           render_kw={"rows": 2})
    report = SubmitField(_l("Report this message"))


class ConsentForm(FlaskForm):
    consent = HiddenField(validators=[AnyOf(["yes", "no"])])
    submit = SubmitField()


class BlockForm(FlaskForm):
    reason = TextAreaField(_l("Reason (recorded in the audit log)"), validators=[MaxLength(REASON_LIMIT)],
                           render_kw={"rows": 2})
    block = SubmitField(_l("Block from the network"))


class ActionForm(FlaskForm):
    """A button (unblock, mark handled): CSRF only."""

    submit = SubmitField()

"""The tables of communications, one module per part; imported here so that Alembic and the app see
them all."""

from congress.communications.mailings import Mailing, MailingRecipient
from congress.communications.mailtexts import MailText
from congress.communications.schedules import ScheduledMail
from congress.communications.unsubscribe import OptOut

__all__ = ["MailText", "Mailing", "MailingRecipient", "OptOut", "ScheduledMail"]

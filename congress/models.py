"""Every capability's models, imported in one place for Alembic and ``flask shell``."""

from congress.accounts.models import AccountToken, ApiToken, Role, RoleGrant, TokenScope, User
from congress.audit.models import AuditEvent
from congress.core.models import Congress, CongressStatus, Person, Room, Track
from congress.mail.models import MailStatus, OutboxMessage
from congress.programme.models import ProgrammeSession, SessionFormat, session_speakers

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditEvent",
    "Congress",
    "CongressStatus",
    "MailStatus",
    "OutboxMessage",
    "Person",
    "ProgrammeSession",
    "Role",
    "RoleGrant",
    "Room",
    "SessionFormat",
    "TokenScope",
    "Track",
    "User",
    "session_speakers",
]

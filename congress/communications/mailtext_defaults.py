"""What the edit page begins with when an edition has not edited a mail yet: the default mail of
``templates/email/`` written as a mail text, with placeholders, in the page's language (through the
catalogue, English msgids). The default files stay what is sent until the organiser saves a text.

A text is a list of pieces joined as they are: translated sentences, and the ``{% if %}`` lines kept
out of the catalogue (a translator should not have to copy template syntax)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

GREETING = _l("Dear {{ name }},")
PERSONAL_LINK = _l("Through your personal link you can see and change your registration, add your programme to "
                   "your calendar, or cancel:")
PROGRAMME = ["{% if programme %}", _l("Your workshops:"), "\n{{ programme }}\n\n{% endif %}"]
COMMENTS = ["{% if comments %}", _l("Comments from the reviewers:"), "\n\n{{ comments }}\n{% endif %}"]
RESERVED = ["{% if reserved_until %}", _l("Places are reserved for you until {{ reserved_until }}."),
            "\n\n{% endif %}"]
INVITATION_END = [_l("Register through your personal link; the form already holds what we know about you:"),
                  "\n{{ register_url }}\n\n", _l("Can you not come? Let us know with this link:"),
                  "\n{{ decline_url }}\n"]

STARTING: dict[str, tuple[Any, list[Any]]] = {
    "registration/confirm": (
        _l("Please confirm your registration for {{ edition }}"),
        [GREETING, "\n\n", _l("Thank you for registering for {{ edition }} ({{ edition_dates }}). Please confirm "
                              "your registration with this link within {{ hours }} hours; until then we hold your "
                              "places:"),
         "\n\n{{ confirm_url }}\n\n", *PROGRAMME, PERSONAL_LINK, "\n{{ manage_url }}\n\n",
         _l("Did you not register? Then ignore this message: the registration lapses by itself.")]),
    "registration/confirmed": (
        _l("Your registration for {{ edition }} is confirmed"),
        [GREETING, "\n\n", _l("Your registration for {{ edition }} is confirmed. We look forward to seeing you on "
                              "{{ edition_dates }} at {{ venue }}. Your e-ticket is attached."),
         "\n\n", *PROGRAMME, PERSONAL_LINK, "\n{{ manage_url }}\n"]),
    "registration/waitlisted": (
        _l("You are on the waiting list for {{ edition }}"),
        [GREETING, "\n\n", _l("{{ edition }} is full. You are on the waiting list, at place {{ waiting_position }}."),
         "\n\n", _l("When a place becomes free, it goes to the first person on the waiting list and we e-mail you "
                    "at once. You do not need to do anything until then."),
         "\n\n", _l("Through your personal link you can see your place on the waiting list, change your details, "
                    "or leave the list:"),
         "\n{{ manage_url }}\n"]),
    "registration/promoted_edition": (
        _l("A place has become free for you: {{ edition }}"),
        [GREETING, "\n\n{% if confirm_url %}",
         _l("Good news: a place has become free in {{ edition }} and it is yours. Please confirm it with this link "
            "within {{ hours }} hours; until then we hold it for you:"),
         "\n\n{{ confirm_url }}\n{% else %}",
         _l("Good news: a place has become free in {{ edition }} and it is yours. Your registration is confirmed; "
            "your e-ticket is attached."),
         "\n{% endif %}\n",
         _l("Through your personal link you can choose workshops, see your registration, or give your place back "
            "if you cannot come after all:"),
         "\n{{ manage_url }}\n"]),
    "registration/promoted": (
        _l("A seat has become free for you: {{ session }}"),
        [GREETING, "\n\n", _l("Good news: a seat has become free in this workshop and it is yours. You no longer "
                              "need to do anything."),
         "\n\n{{ session }}\n\n",
         _l("Can you not come after all? Please give your seat back through your personal link:"),
         "\n{{ manage_url }}\n"]),
    "registration/sessions_changed": (
        _l("The programme of {{ edition }} has changed"),
        [GREETING, "\n\n", _l("The programme has changed for sessions you chose:"), "\n\n{{ changed_sessions }}\n\n",
         _l("Your personal link shows your programme; a calendar subscription updates by itself:"),
         "\n{{ manage_url }}\n"]),
    "registration/cancelled": (
        _l("Your registration for {{ edition }} has been cancelled"),
        [GREETING, "\n\n{% if lapsed %}",
         _l("You did not confirm your registration for {{ edition }} in time, so it has lapsed and your seats "
            "have been released."),
         "{% else %}",
         _l("Your registration for {{ edition }} has been cancelled and your seats have been released."),
         "{% endif %}\n\n", _l("You can register again while registration is open:"), "\n{{ register_url }}\n"]),
    "registration/link": (
        _l("Your personal link for {{ edition }}"),
        [GREETING, "\n\n", _l("Here is the personal link to your registration for {{ edition }}:"),
         "\n\n{{ manage_url }}\n\n", _l("Did you not ask for this? Then you can ignore this message.")]),
    "programme/speaker_session_changed": (
        _l("Programme change: {{ edition }}"),
        [GREETING, "\n\n", _l("The programme of {{ edition }} has changed. This concerns your sessions:"),
         "\n\n{{ changed_sessions }}\n\n", _l("Questions? Write to {{ contact_email }}.")]),
    "cfp/decision_accepted": (
        _l("Your proposal has been accepted"),
        [GREETING, "\n\n", _l("Good news: your proposal “{{ proposal_title }}” for {{ edition }} has been accepted."),
         "\n\n{% if manage_url %}", _l("Please confirm that you will give this session, or withdraw, with this link:"),
         "\n\n{{ manage_url }}\n{% else %}", _l("The submitting speaker will confirm the session."),
         "\n{% endif %}\n", *COMMENTS]),
    "cfp/decision_rejected": (
        _l("About your proposal"),
        [GREETING, "\n\n", _l("Thank you for your proposal “{{ proposal_title }}” for {{ edition }}. We received many "
                              "good proposals and unfortunately could not include yours in the programme."),
         "\n\n", *COMMENTS]),
    "cfp/decision_held": (
        _l("Your proposal is on the reserve list"),
        [GREETING, "\n\n", _l("Your proposal “{{ proposal_title }}” for {{ edition }} is on the reserve list. We will "
                              "let you know when a place becomes free.")]),
    "cfp/co_speaker_invitation": (
        _l("Invitation to speak together"),
        [_l("Hello,"), "\n\n", _l("{{ inviter }} invites you to be co-speaker of the proposal “{{ proposal_title }}” "
                                 "for {{ edition }}."),
         "\n\n", _l("Accept the invitation within {{ days }} days with this personal link (it works once, and only "
                    "for this e-mail address):"),
         "\n\n{{ manage_url }}\n\n", _l("No speaker account yet? Sign up first with this e-mail address:"),
         "\n\n{{ signup_url }}\n"]),
    "archive/speaker_invitation": (
        _l("Add your slides to the knowledge base: {{ session_title }}"),
        [GREETING, "\n\n", _l("Thank you for your session “{{ session_title }}”. It is being archived in the "
                              "congress's knowledge base, so that municipalities and professionals can learn from "
                              "it. Would you add your slides and a short summary? Use your personal link (valid for "
                              "{{ days }} days):"),
         "\n\n{{ manage_url }}\n\n", _l("Do not share this link: anyone with it can add files to your session.")]),
    "invitations/invitation": (
        _l("Invitation: {{ edition }}"),
        [GREETING, "\n\n", _l("We would like to invite you to {{ edition }} on {{ edition_dates }}."), "\n\n",
         *RESERVED, *INVITATION_END]),
    "invitations/reminder": (
        _l("Reminder: invitation to {{ edition }}"),
        [GREETING, "\n\n", _l("Recently we invited you to {{ edition }} and have not heard from you yet."), "\n\n",
         *RESERVED, *INVITATION_END]),
}


def starting(kind: str) -> tuple[str, str]:
    """The subject and text in the current locale."""
    subject, pieces = STARTING[kind]
    return str(subject), "".join(str(piece) for piece in pieces).strip("\n") + "\n"

"""Signals of the programme capability."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Sent inside the publishing transaction after a programme version is published:
# ``sessions_changed.send(congress, session_ids=[...], version=ProgrammeVersion)``.
# Receivers: registration (e-mails the attendees enrolled in those sessions; queue mail with queue_mail).
sessions_changed = signals.signal("sessions-changed")

# A question with one answer: ``first_answer(seats_left_wanted, session)`` → seats left (int) or None
# (no limit / nobody knows). Receiver: registration.
seats_left_wanted = signals.signal("seats-left-wanted")

# A question: ``first_answer(recipients_wanted, congress, session_ids=[...])`` → how many attendees
# publishing a version that changes those sessions would e-mail (for the confirmation step). Receiver:
# registration (the one that mails them on ``sessions_changed``).
recipients_wanted = signals.signal("recipients-wanted")

# A question: ``first_answer(feedback_url_wanted, congress)`` → a function giving, for a session, the
# absolute URL where those who attended it give their feedback (the ``feedback_url`` of schedule.json and
# schedule.xml), or None when nobody takes feedback. Receiver: evaluations.
feedback_url_wanted = signals.signal("feedback-url-wanted")

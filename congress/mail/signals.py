"""Signals of the mail capability: the worker asks the capability a message is about."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# ``one_answer(attachment_wanted, kind, argument=str, locale=str)`` → the rendered attachment,
# ``(file name, content type, bytes)``, in the message's ``locale``. Receivers connect with
# ``sender=kind`` (badges: "ticket"): ``def receiver(kind, *, argument, locale)``.
attachment_wanted = signals.signal("mail-attachment-wanted")

# ``one_answer(context_wanted, kind, argument=str)`` → the template context, or None when what the
# mail is about is gone. Receivers connect with ``sender=kind`` (registration: "registration"):
# ``def receiver(kind, *, argument)``.
context_wanted = signals.signal("mail-context-wanted")

# ``first_answer(reply_to_wanted, congress_id)`` → the address replies to a message about that
# edition go to (its contact address), or None. Core answers: ``def receiver(congress_id)``.
reply_to_wanted = signals.signal("mail-reply-to-wanted")

# ``first_answer(text_wanted, template, congress_id=int|None, locale=str, context=dict)`` → the
# edition's own ``(subject, text, html)`` for that system mail, or None for the default files.
# Communications answers: ``def receiver(template, *, congress_id, locale, context)``.
text_wanted = signals.signal("mail-text-wanted")

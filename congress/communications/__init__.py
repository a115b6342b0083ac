"""Communications: the mail texts organisers edit, mailings to any group, invitations with reserved
places, scheduled mails before and after the congress, and unsubscribing from what is not
transactional. It sits above every capability it writes about (registration, programme, cfp, archive)
and sends through ``mail.services``; lower capabilities reach it only through signals they declare.

Each part lives in its own modules (``texts``, ``mailings``, ``invitations``, ``schedules``,
``unsubscribe``); ``services``, ``queries``, ``models``, ``views`` and ``receivers`` gather them.
"""

"""Signals of the questions component.

Answers are stored by the form that asks them (registration, call for proposals, …), above this layer;
the editor asks that form how a question has been answered before it changes or removes something
answers depend on: ``one_answer(answers_wanted, target, question=question)`` → :class:`~congress.questions.
usage.Usage`. Receivers: registration (target ``registration``), cfp (target ``proposal``) and evaluations
(target ``evaluation``).
"""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

answers_wanted = signals.signal("answers-wanted")

"""Signals: the one way a lower capability tells higher ones, or asks them, without importing them.

Each capability declares its signals in its ``signals`` module (``programme.signals``,
``registration.signals``, …). Higher capabilities connect their receivers in their
``receivers.connect()``, which ``create_app`` calls: never at import time.

Two uses:

* **Announcements** (``sessions_changed``, ``registration_confirmed``): ``signal.send(sender, **data)``;
  any number of receivers, none is fine.
* **Questions with one answer** (``attachment_wanted``): ``one_answer(signal, kind, **data)``; exactly one
  receiver must be connected for ``kind`` (blinker's sender filter), else :class:`NoReceiver` is
  raised: a kind nobody handles is an error, never skipped.
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace


def namespace() -> Namespace:
    """A capability's own namespace of signals."""
    return Namespace()


class NoReceiver(LookupError):
    """A question was asked that no capability (or more than one) answers."""


def one_answer(signal: NamedSignal, sender: Any, **data: Any) -> Any:
    """The answer of the one receiver connected for ``sender``; :class:`NoReceiver` for none or several."""
    receivers = list(signal.receivers_for(sender))
    if len(receivers) != 1:
        raise NoReceiver(f"{len(receivers)} receivers answer {signal.name!r} for {sender!r}; exactly one must")
    return receivers[0](sender, **data)


def first_answer(signal: NamedSignal, sender: Any, default: Any = None, **data: Any) -> Any:
    """The first answer that is not None (receivers that do not know say None), else ``default``."""
    for _receiver, value in signal.send(sender, **data):
        if value is not None:
            return value
    return default

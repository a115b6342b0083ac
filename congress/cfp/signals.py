"""Signals of the call for proposals."""

from __future__ import annotations

from congress.signals import namespace

signals = namespace()

# Sent inside the transaction in which a speaker gives or withdraws their recording consent:
# ``recording_consent_changed.send(proposal, session_id=int | None)``. Receiver: archive (the session's
# recordings count as changed, so that harvesters and the sitemap see them come or go).
recording_consent_changed = signals.signal("recording-consent-changed")

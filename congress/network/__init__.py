"""The participants' network (Agenda action line 3, stronger cooperation): confirmed attendees who consent
appear in a list that only the edition's other confirmed attendees see behind their personal link, and
contact each other through messages the system relays by mail; addresses are shared only when both
choose to. Rate-limited, reportable, logged; the organiser can block a sender (docs/participants-network.md)."""

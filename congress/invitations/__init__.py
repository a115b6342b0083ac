"""Invitations: invitation lists per edition, contacts imported from CSV or XLSX, personal invitation
links that fill in the registration form, places reserved for a list until a date, and each invitee's
status (invited, registered, declined)."""

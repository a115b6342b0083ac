"""Communications' reads for other capabilities (its face): re-exported from the parts' modules."""

from congress.communications.unsubscribe import email_for, headers_for, is_opted_out, opted_out, url_for_address

__all__ = ["email_for", "headers_for", "is_opted_out", "opted_out", "url_for_address"]

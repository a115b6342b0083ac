"""Communications' reads for other capabilities (its face): re-exported from the parts' modules."""

from congress.communications.mailings import Counts, counts_from
from congress.communications.unsubscribe import email_for, headers_for, is_opted_out, opted_out, url_for_address

__all__ = ["Counts", "counts_from", "email_for", "headers_for", "is_opted_out", "opted_out", "url_for_address"]

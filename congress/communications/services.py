"""Communications' commands (its face): re-exported from the parts' modules."""

from congress.communications.unsubscribe import opt_in, opt_out

__all__ = ["opt_in", "opt_out"]

"""Legal pages: the privacy statement per edition (with its retention period), the site-wide
accessibility statement and the processing register (what is stored, why, how long, who sees it)."""

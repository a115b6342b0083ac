PUBLIC_ENDPOINTS = {
    # the attendee's certificate behind their personal link (/my/<secret>/certificate…): the secret is the guard
    "certificates.page",
    "certificates.pdf",
    # anyone may verify a certificate's code (signed; rate-limited, not indexed)
    "certificates.verify",
}

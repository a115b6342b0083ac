PUBLIC_ENDPOINTS: set[str] = {
    # the unsubscribe page and its one-click POST (RFC 8058: no session), and "subscribe again" (CSRF)
    "communications.unsubscribe.page", "communications.unsubscribe.one_click", "communications.unsubscribe.resubscribe",
}

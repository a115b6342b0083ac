PUBLIC_ENDPOINTS = {
    "cfp.call",
    "cfp.signup",
    "cfp.verify",
    "cfp.decision",
}

PUBLIC_ENDPOINTS = {
    # the participants' network behind the personal link (/my/<secret>/participants…): the secret is the guard
    "network.participants",
    "network.person",
    "network.share",
    "network.report",
    "network.consent",
}

PUBLIC_ENDPOINTS = {
    # the attendee's evaluations behind their personal link (/my/<secret>/evaluations…): the secret is the guard
    "evaluations.index",
    "evaluations.evaluate",
}

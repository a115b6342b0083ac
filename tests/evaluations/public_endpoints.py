PUBLIC_ENDPOINTS = {
    # the attendee's evaluations behind their personal link (/my/<secret>/evaluations…): the secret is the guard
    "evaluations.index",
    "evaluations.evaluate",
    # where conference apps send people to give feedback on a session (schedule.json's feedback_url)
    "evaluations.feedback",
}

PUBLIC_ENDPOINTS: set[str] = {
    # the invitee's page behind their personal link: register, or decline (CSRF on the button)
    "invitations.respond",
}

PUBLIC_ENDPOINTS = {
    "registration.register",
    "registration.thanks",
    "registration.send_link",
    "registration.manage",
    "registration.confirm",
    "registration.edit",
    "registration.cancel",
    "registration.download_data",
    "registration.erase",
    "registration.agenda",
    "registration_api.sessions",
}

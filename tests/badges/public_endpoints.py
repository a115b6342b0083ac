PUBLIC_ENDPOINTS: set[str] = {"badges.ticket"}

PUBLIC_ENDPOINTS: set[str] = {"checkin.station"}

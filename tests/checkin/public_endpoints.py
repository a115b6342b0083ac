PUBLIC_ENDPOINTS: set[str] = {"checkin.station", "checkin.station_worker"}

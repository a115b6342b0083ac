# checkin.join: behind the personal link's secret (/my/<secret>/join/<id>), like the other /my/ pages.
PUBLIC_ENDPOINTS: set[str] = {"checkin.station", "checkin.station_worker", "checkin.join"}

PUBLIC_ENDPOINTS: set[str] = set()

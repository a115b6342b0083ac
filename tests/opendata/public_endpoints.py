PUBLIC_ENDPOINTS = {"opendata.oai_pmh", "opendata.catalogue"}

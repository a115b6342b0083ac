"""Open data: the knowledge archive for harvesters (OAI-PMH 2.0 at /oai); see docs/opendata.md."""

"""Knowledge archive: sessions, interventions and evaluations live on as searchable knowledge items."""

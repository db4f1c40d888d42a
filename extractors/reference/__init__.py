"""UN reference data: State names (gazetteer) and the session calendar, read from ``data/``."""

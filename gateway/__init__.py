"""Device gateway: MQTT (and, later, serial) ingest, classification, delivery to the
control room."""

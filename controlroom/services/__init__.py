"""The resident services, one package each (residents, requests, desk, fees, notices), each with
the same kinds of file: pure rules, a service, models, schemas. Never import controlroom.alarms."""

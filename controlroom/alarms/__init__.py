"""The alarm path: pure rules (rules, correlation, escalation, flapping, flood, kpis), the
services (service, casework, test_mode, devices, units), the live stream (stream, fanout),
models and schemas. Never imports controlroom.services."""

"""Service requests: the flow (pure), SLAs (pure), the one request vocabulary (wording), the
service, models and schemas."""

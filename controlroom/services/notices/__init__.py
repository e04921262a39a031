"""Notices the kiosk shows: the service, models and schemas."""

"""Residents at the kiosk: their sessions, how they log in, and the kiosk's bodies."""

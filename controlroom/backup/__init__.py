"""Backing up and restoring the control room: its database (SQLite through the online backup
API, PostgreSQL through pg_dump / pg_restore) and the broker's site secret, in one archive."""

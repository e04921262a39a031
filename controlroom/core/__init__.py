"""Core pieces every domain uses: database, clock, errors, audit, accounts, security, lockout,
typed input, notifiers. Imports no domain (tests/controlroom/test_import_rules.py)."""

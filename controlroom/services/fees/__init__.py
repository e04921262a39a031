"""Fee accounts: the ledger (pure), the service, models and schemas."""

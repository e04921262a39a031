from __future__ import annotations

from alembic import context

from controlroom import (  # noqa: F401  (registers the tables on Base.metadata)
    item_models,  # held items, keys, fees, notices
    models,
    request_models,  # service requests, resident sessions
)
from controlroom.db import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()

"""Every table of the control room on one `Base.metadata` (controlroom/core/db.py): importing
this module imports each domain's models. Alembic (migrations/env.py) and anything that calls
`Base.metadata.create_all` import it, so no table is missed when a domain adds one."""

from __future__ import annotations

from controlroom.alarms import kiosk_models
from controlroom.alarms import models as alarm_models
from controlroom.core import models as core_models
from controlroom.core import notify_models
from controlroom.core.db import Base
from controlroom.reports import models as report_models
from controlroom.services.concierge import models as concierge_models
from controlroom.services.desk import models as desk_models
from controlroom.services.fees import models as fee_models
from controlroom.services.notices import models as notice_models
from controlroom.services.requests import models as request_models
from controlroom.services.residents import models as resident_models

__all__ = ["MODULES", "metadata"]

MODULES = (core_models, notify_models, alarm_models, desk_models, fee_models, notice_models,
           request_models, resident_models, concierge_models, report_models, kiosk_models)
metadata = Base.metadata

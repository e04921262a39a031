"""Where each part finds the others: the site file's URLs, overridden by the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from config.model import Site


@dataclass(frozen=True)
class Settings:
    db_url: str
    mqtt_url: str
    api_url: str

    @classmethod
    def from_site(cls, site: Site, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            db_url=env.get("BUTLER_DB_URL") or site.db_url,
            mqtt_url=env.get("BUTLER_MQTT_URL") or site.mqtt_url,
            api_url=(env.get("BUTLER_API_URL") or site.api_url).rstrip("/"),
        )

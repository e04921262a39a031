"""Hypothesis profiles: `default` is bounded so the property tests fit inside `make test`
(a loaded 2-CPU machine: no deadline); HYPOTHESIS_PROFILE=thorough searches far longer."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=150, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

"""One masking rule for names (DOMAIN.md: 张*), used by the control room and the kiosk alike."""

from __future__ import annotations

import pytest

import controlroom.alarms.units
import controlroom.api.routes.kiosk
import controlroom.api.routes.residents
import kiosk.formats
from config.privacy import mask_name


@pytest.mark.parametrize(("name", "masked"), [
    ("张三丰", "张*"), ("陈桂芳", "陈*"), ("欧阳娜娜", "欧*"), ("王", "王*"),
    ("Emma Wilson", "E*"), ("  李雷 ", "李*"), ("", ""), ("   ", ""),
])
def test_the_first_character_and_one_star_whatever_the_length(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_masking_again_changes_nothing() -> None:
    # The kiosk masks what the control room already masked: the result must be the same.
    for name in ("陈桂芳", "Emma Wilson", "王"):
        assert mask_name(mask_name(name)) == mask_name(name)


def test_the_console_the_kiosk_api_and_the_kiosk_use_the_one_rule() -> None:
    for module in (controlroom.alarms.units, controlroom.api.routes.kiosk,
                   controlroom.api.routes.residents, kiosk.formats):
        assert module.mask_name is mask_name, module.__name__

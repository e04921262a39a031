"""Start-up decisions of the kiosk that need no window: size, display, font."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.boot import display_problem, parse_size, prepare_environment
from kiosk.fonts import bold_sibling, choose_font


def test_size_accepts_portrait_and_landscape() -> None:
    assert parse_size("1080x1920") == (1080, 1920)
    assert parse_size("1920X1080") == (1920, 1080)


@pytest.mark.parametrize("value", ["1080", "axb", "1080x1920x3", "10x1920", "1080x99999"])
def test_size_refuses_nonsense(value: str) -> None:
    with pytest.raises(ValueError):
        parse_size(value)


def test_no_display_on_linux_is_explained_with_the_way_to_start() -> None:
    problem = display_problem({}, "linux")

    assert problem is not None
    assert 'xvfb-run -a -s "-screen 0 1080x1920x24" python -m kiosk' in problem
    assert "DISPLAY" in problem


@pytest.mark.parametrize(
    "env",
    [{"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}, {"SDL_VIDEODRIVER": "kmsdrm"}],
)
def test_a_display_of_any_kind_is_enough(env: dict[str, str]) -> None:
    assert display_problem(env, "linux") is None


def test_other_platforms_are_not_checked() -> None:
    assert display_problem({}, "win32") is None


def test_kivy_is_told_not_to_read_our_arguments_and_to_keep_quiet() -> None:
    env: dict[str, str] = {"KIVY_NO_CONSOLELOG": "1"}
    prepare_environment(verbose=False, env=env)
    assert env["KIVY_NO_ARGS"] == "1"
    assert env["KCFG_KIVY_LOG_LEVEL"] == "warning"

    prepare_environment(verbose=True, env=env)
    assert "KIVY_NO_CONSOLELOG" not in env
    assert env["KCFG_KIVY_LOG_LEVEL"] == "info"


def test_the_first_existing_font_wins(tmp_path: Path) -> None:
    second = tmp_path / "b.ttc"
    third = tmp_path / "c.ttf"
    second.write_bytes(b"")
    third.write_bytes(b"")

    assert choose_font([tmp_path / "a.ttc", second, third]) == second
    assert choose_font([tmp_path / "missing.ttf"]) is None
    assert choose_font([tmp_path]) is None  # a folder is not a font


def test_the_bold_file_beside_the_regular_one_is_found(tmp_path: Path) -> None:
    regular = tmp_path / "NotoSansCJK-Regular.ttc"
    regular.write_bytes(b"")
    assert bold_sibling(regular) is None

    bold = tmp_path / "NotoSansCJK-Bold.ttc"
    bold.write_bytes(b"")
    assert bold_sibling(regular) == bold
    assert bold_sibling(tmp_path / "wqy-microhei.ttc") is None

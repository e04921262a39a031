"""Getting Kivy ready before it is imported: environment, window size, display check.

Everything here must run before the first `import kivy` (Kivy reads its environment and parses
argv at import time), so Kivy is imported inside `configure_kivy` only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, MutableMapping

Size = tuple[int, int]
PORTRAIT: Size = (1080, 1920)
LANDSCAPE: Size = (1920, 1080)
_MIN_SIDE, _MAX_SIDE = 320, 7680
# How to start it headless so the whole portrait window shows (xvfb-run's own screen is
# 1280x1024, which crops a 1080x1920 window).
XVFB_HINT = 'xvfb-run -a -s "-screen 0 1080x1920x24" python -m kiosk'
# Kivy's complaints about input and clipboard providers the kiosk does not use (see
# `configure_kivy`): a traceback each on every start, nothing for anyone to fix.
_UNUSED_PROVIDER_REPORTS = (
    "Input: ProbeSysfs is not supported",
    "Input: MTDev is not supported",
    "Input: HIDInput is not supported",
    "Input: LinuxWacom is not supported",
    "Cutbuffer: Unable to find any valuable Cutbuffer provider",
)


def parse_size(value: str) -> Size:
    """`WxH` in pixels, e.g. 1080x1920 (portrait) or 1920x1080 (landscape)."""
    try:
        w, h = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise ValueError(f"size must look like 1080x1920, not {value!r}") from None
    if not (_MIN_SIDE <= w <= _MAX_SIDE and _MIN_SIDE <= h <= _MAX_SIDE):
        raise ValueError(f"size {value!r}: each side must be {_MIN_SIDE}..{_MAX_SIDE} pixels")
    return w, h


def display_problem(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why a window cannot be opened here, as advice for the user; None when it can."""
    if not platform.startswith("linux"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("SDL_VIDEODRIVER"):
        return None
    return (
        "kiosk: no display (neither DISPLAY nor WAYLAND_DISPLAY is set). "
        f"Start it on the kiosk's screen, or headless with: {XVFB_HINT}"
    )


def prepare_environment(verbose: bool, env: MutableMapping[str, str] = os.environ) -> None:
    # Kivy would otherwise parse our command line as its own options.
    env["KIVY_NO_ARGS"] = "1"
    # SDL2's clipboard (the report's text field): no probing for the xclip and xsel tools.
    env.setdefault("KIVY_CLIPBOARD", "sdl2")
    if verbose:
        env.pop("KIVY_NO_CONSOLELOG", None)
        env["KCFG_KIVY_LOG_LEVEL"] = "info"
    else:
        # Warnings and errors still reach the console; Kivy's start-up chatter does not.
        env.setdefault("KCFG_KIVY_LOG_LEVEL", "warning")


def configure_kivy(size: Size, fullscreen: bool) -> None:
    """Window and input settings for this run only (Kivy's config file is not rewritten)."""
    from kivy.config import Config

    width, height = size
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # A resident pressing Escape on a keyboard must not close the lobby kiosk.
    Config.set("kivy", "exit_on_escape", "0" if fullscreen else "1")
    # A lobby kiosk has no keyboard: the optional free text of a report gets Kivy's on-screen
    # keyboard (Latin letters and digits; a Chinese input method is out of scope).
    Config.set("kivy", "keyboard_mode", "dock" if fullscreen else "")
    # No multisample anti-aliasing: the kiosk draws flat panels and text (its glyphs are
    # anti-aliased in their own textures), and MSAA made every frame of a 1080x1920 window
    # about 2.5x dearer under Xvfb's software renderer (248 -> 94 ms a frame, bench/
    # kiosk_bench.py, profiled): a tap would wait for that frame.
    Config.set("graphics", "multisamples", "0")
    # Right-click with a mouse would otherwise leave red multitouch dots on the screen.
    Config.set("input", "mouse", "mouse,disable_multitouch")
    _quiet_unused_providers(Config)


def _quiet_unused_providers(config: object) -> None:
    """Touches reach the kiosk through SDL2's own touch provider (which Kivy's SDL2 window adds
    by itself) and the mouse; Kivy's device probe (probesysfs -> mtdev/hidinput, reading
    /dev/input directly) would only deliver the same touches twice, so it is switched off.
    Kivy still imports those modules on Linux and logs a traceback when libmtdev is missing;
    a text field makes it look for an X cut buffer (the xclip or xsel tools) for middle-click
    paste, which a touch screen has no use for. Neither is looked for, and Kivy's reports of
    their absence are dropped; every other warning and error still shows."""
    import kivy
    from kivy.logger import Logger

    if config.has_option("input", "%(name)s"):  # type: ignore[attr-defined]
        config.remove_option("input", "%(name)s")  # type: ignore[attr-defined]
    kivy.kivy_options["cutbuffer"] = ()
    Logger.addFilter(_DropReports(_UNUSED_PROVIDER_REPORTS))


class _DropReports(logging.Filter):
    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefixes)

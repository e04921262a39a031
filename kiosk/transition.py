"""Switching screens within the frame that handles the tap.

Kivy's `NoTransition` still runs a zero-length animation: the old screen leaves on the next
clock frame, so the frame after a tap draws both screens at once and the switch is only over
one frame later (on a software-rendered 1080x1920 window that is a whole frame time, ~100 ms
or more). `InstantTransition` finishes inside `start`: the next frame drawn is the new screen
alone."""

from __future__ import annotations

from kivy.uix.screenmanager import NoTransition, ScreenManager

__all__ = ["InstantTransition"]


class InstantTransition(NoTransition):
    def start(self, manager: ScreenManager) -> None:
        super().start(manager)
        # stop() cancels the zero-length animation and completes the switch now: the old
        # screen is removed, on_leave/on_enter are dispatched and is_active is False.
        self.stop()

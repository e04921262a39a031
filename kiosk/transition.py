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
        # Cancel the zero-length animation and complete now, as its end would have a frame
        # later: the old screen removed, is_active False, on_enter/on_leave dispatched (the
        # report screen clears its note on leave). Not stop(): it skips on_enter/on_leave.
        anim = self._anim
        if anim is not None:
            anim.unbind(on_complete=self._on_complete)
            anim.cancel(self)
        self._on_complete()

"""What is on the kiosk window, as the driver reads it: the visible labels and their texts,
the part of a widget on screen, and the state a report records (keypad keys, menu items,
tappables, labels whose text overflows). Imports Kivy: import only after
`kiosk.boot.configure_kivy`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from kiosk.widgets import ItemRowView, Keypad

if TYPE_CHECKING:
    from kiosk.app import KioskApp

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in window pixels


def window_widgets(app: KioskApp) -> Widget | None:
    """The whole window's widgets: the frame (header, banners, hotline) and the current
    screen (a screen manager holds only the current screen as its child)."""
    return app.root


def labels(app: KioskApp) -> list[Label]:
    screen = window_widgets(app)
    if screen is None:
        return []
    return [
        w
        for w in screen.walk(restrict=True)
        if isinstance(w, Label) and w.text and visible_rect(w) is not None
    ]


def texts(app: KioskApp) -> list[str]:
    return [w.text for w in labels(app)]


def snapshot(app: KioskApp) -> dict[str, Any]:
    return {
        "screen": app.screens.current if app.screens else None,
        "lang": app.lang,
        "texts": texts(app),
    }


def keypad_keys(widgets: list[Widget]) -> list[dict[str, Any]]:
    """Every key of a visible keypad, its OK key included."""
    keys = [k for pad in widgets if isinstance(pad, Keypad)
            and visible_rect(pad) is not None
            for k in pad.walk(restrict=True) if isinstance(k, ButtonBehavior)]
    return [{"text": k.text, "size": [round(k.width), round(k.height)],
             "text_size": [round(v) for v in k.texture_size],
             "visible": visible_rect(k) == rect(k)} for k in keys]


def layout_now(app: KioskApp) -> dict[str, Any]:
    now = state(app)
    return {"keys": now["keys"], "tappables": now["tappables"], "overflow": now["overflow"]}


def state(app: KioskApp) -> dict[str, Any]:
    screen = window_widgets(app)
    widgets = list(screen.walk(restrict=True)) if screen is not None else []
    return {
        **snapshot(app),
        "font": app.font_path,
        "window": list(Window.size),
        "keys": keypad_keys(widgets),
        "items": [
            {
                "id": w.item_id,
                "name": w.name,
                "price": w.price,
                "visible": visible_rect(w) == rect(w),
            }
            for w in widgets
            if isinstance(w, ItemRowView)
        ],
        "tappables": [
            {
                "kind": type(w).__name__,
                "text": getattr(w, "text", "") or getattr(w, "title", ""),
                "size": [round(w.width), round(w.height)],
                "visible": visible_rect(w) is not None,
            }
            for w in widgets
            if isinstance(w, ButtonBehavior)
        ],
        "overflow": [
            {
                "text": w.text,
                "box": [round(w.width), round(w.height)],
                "text_size": [round(v) for v in w.texture_size],
            }
            for w in widgets
            if isinstance(w, Label) and w.text and overflows(w)
        ],
    }


def visible_rect(widget: Widget) -> Rect | None:
    """The part of `widget` on screen: inside the window and every clipping ancestor,
    with no transparent ancestor; None when nothing of it shows."""
    visible: Rect | None = (0.0, 0.0, float(Window.width), float(Window.height))
    node: Widget | None = widget
    while node is not None and visible is not None:
        if node.opacity <= 0:
            return None
        if node is widget or isinstance(node, StencilView):
            visible = intersect(visible, rect(node))
        node = node.parent if isinstance(node.parent, Widget) else None
    return visible


def in_button(widget: Widget) -> bool:
    node: Widget | None = widget
    while node is not None:
        if isinstance(node, ButtonBehavior):
            return True
        node = node.parent if isinstance(node.parent, Widget) else None
    return False


def rect(widget: Widget) -> Rect:
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    return (x0, y0, x1, y1)


def intersect(a: Rect, b: Rect) -> Rect | None:
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 - x0 >= 1 and y1 - y0 >= 1 else None


def overflows(label: Label) -> bool:
    """Whether the rendered text is larger than the label's box (it would spill or be cut)."""
    text_w, text_h = label.texture_size
    return text_w > label.width + 1 or text_h > label.height + 1

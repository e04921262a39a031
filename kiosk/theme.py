"""Colours and sizes of the kiosk, shared by the kv files (`#:import theme kiosk.theme`).

Sizes are pixels of a 1080-pixel-wide portrait screen; the kv files multiply them by
`app.scale` (the window's short side / 1080), so the layout keeps its proportions.
"""

from __future__ import annotations

BASE_SHORT_SIDE = 1080

# Colours (RGBA)
BACKGROUND = (0.96, 0.95, 0.92, 1)
HEADER = (0.06, 0.30, 0.33, 1)
HEADER_TEXT = (1, 1, 1, 1)
TEXT = (0.13, 0.13, 0.13, 1)
MUTED = (0.38, 0.38, 0.38, 1)
ACCENT = (0.72, 0.42, 0.09, 1)
CARD = (1, 1, 1, 1)
TILES = ((0.09, 0.45, 0.49, 1), (0.29, 0.49, 0.27, 1), (0.62, 0.36, 0.10, 1))
TILE_DOWN = (0.05, 0.20, 0.22, 1)
TILE_NOTE = (1, 1, 1, 0.85)
BUTTON = (0.17, 0.50, 0.53, 1)
BUTTON_DOWN = (0.04, 0.22, 0.24, 1)
HOTLINE = (0.66, 0.12, 0.10, 1)
OFFLINE = (0.55, 0.08, 0.06, 1)
ALERT = (0.80, 0.15, 0.05, 1)
SELECTED = (0.72, 0.42, 0.09, 1)
OVERLAY = (0, 0, 0, 0.55)
OK_GREEN = (0.16, 0.48, 0.22, 1)
FIELD = (1, 1, 1, 1)
FIELD_ACTIVE = (1, 0.97, 0.88, 1)

# Touch targets, at least 15 mm. DPI assumption: a 21.5" 1080x1920 panel, 268 mm for the
# 1080-px short side = 4.0 px/mm (102 dpi), so 15 mm = 60 px. TOUCH_MIN is twice that
# (30 mm there), which still gives >= 15 mm on any 1080-px-wide panel from 11" up to 43".
TOUCH_MIN = 120
KEY_MIN = 120
TILE_MIN = 200
HEADER_HEIGHT = 170
# Landscape has 1080 px of height for everything: a lower header (still > TOUCH_MIN).
HEADER_HEIGHT_LANDSCAPE = 130
TOGGLE_WIDTH = 240
# Large-text mode for elderly residents: every font this much bigger.
LARGE_TEXT = 1.25

# Type and spacing
FONT_TITLE = 68
FONT_HEADING = 56
FONT_BODY = 44
FONT_SMALL = 34
PAD = 40
GAP = 20

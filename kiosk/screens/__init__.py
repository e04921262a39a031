"""The kiosk's screens; each has its layout in a .kv file beside its class."""

from kiosk.screens.home import HomeScreen
from kiosk.screens.menu import MenuScreen

__all__ = ["HomeScreen", "MenuScreen"]

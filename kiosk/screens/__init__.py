"""The kiosk's screens; each has its layout in a .kv file beside its class."""

from kiosk.screens.account import AccountScreen
from kiosk.screens.attract import AttractScreen
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.found import FoundScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.item import ItemScreen
from kiosk.screens.lists import ListScreen
from kiosk.screens.login import LoginScreen
from kiosk.screens.menu import MenuScreen
from kiosk.screens.message import MessageScreen
from kiosk.screens.pickup import PickupScreen
from kiosk.screens.report import ReportScreen
from kiosk.screens.request import RequestScreen
from kiosk.screens.visitor import VisitorScreen, VisitorsScreen

__all__ = [
    "AccountScreen",
    "AttractScreen",
    "ConfirmScreen",
    "FoundScreen",
    "HomeScreen",
    "ItemScreen",
    "ListScreen",
    "LoginScreen",
    "MenuScreen",
    "MessageScreen",
    "PickupScreen",
    "ReportScreen",
    "RequestScreen",
    "VisitorScreen",
    "VisitorsScreen",
]

"""Log in: hold the resident card to the reader, or type the flat and the PIN on the keypad."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class LoginScreen(Screen):
    view = ObjectProperty(None, allownone=True)  # LoginView | None


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

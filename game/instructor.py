"""The instructor's console (pages behind the instructor key). Filled in by the console work."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the console's routes on the app."""

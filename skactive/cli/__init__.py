"""The ``skactive`` command: simulations and labelling sessions on files."""

from ._main import main

__all__ = ["main"]

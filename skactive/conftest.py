"""pytest configuration of the package's doctests (``--doctest-modules``)."""

import importlib.util

# skactive.deep needs the optional torch and skorch: without them its
# doctests are not collected (importing it would fail).
collect_ignore = []
if any(importlib.util.find_spec(name) is None for name in ("torch", "skorch")):
    collect_ignore.append("deep")

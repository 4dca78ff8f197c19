"""Label in the notebook: a labelling widget on an active learning session.

- :class:`LabellingWidget`: a Jupyter widget on an
  :class:`~skactive.ActiveLearner` that shows the queried samples one at a
  time (images, texts, table rows, or a renderer of yours) and takes each
  label with a click or a key; every label is taught and saved at once, and
  the model is refitted in the background. Needs the ``widgets`` extra
  (``pip install "skactive[widgets]"``: ipywidgets and anywidget).
- :class:`LabellingQueue`: the widget's logic without a user interface (the
  queue of queried samples, label, skip, undo, "not sure", the background
  refit), for tests and other front ends.
- :func:`render_sample`: a sample as the widget shows it (HTML).

``import skactive.widgets`` works without the extra; ``LabellingWidget``
imports it when first used.
"""

from ._queue import LabellingQueue
from ._render import render_sample

__all__ = ["LabellingQueue", "LabellingWidget", "render_sample"]


def __getattr__(name):
    if name == "LabellingWidget":
        try:
            from ._widget import LabellingWidget
        except ImportError as exc:  # anywidget / ipywidgets missing
            raise ImportError(
                "skactive.widgets.LabellingWidget needs ipywidgets and anywidget: "
                f'pip install "skactive[widgets]" ({exc}).'
            ) from exc
        return LabellingWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

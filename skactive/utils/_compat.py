"""The one place where skactive reaches into scikit-learn's private API.

Each name here is private in scikit-learn and may move between releases;
import it from this module only, so a change is mended in one place.
"""

from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

__all__ = ["_num_samples", "_safe_indexing"]

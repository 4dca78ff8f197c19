"""The order of the examples in the gallery (sphinx-gallery sort key).

A class named by a string in ``sphinx_gallery_conf`` so that Sphinx can
pickle the configuration. Examples not listed come last, by file name.
"""

ORDER = [
    "plot_uncertainty_digits.py",
    "plot_text.py",
    "text_sentence_embeddings.py",
    "label_in_notebook.py",
    "plot_committee.py",
    "plot_deep_bald_digits.py",
    "plot_diversity.py",
    "plot_pool_subsample.py",
    "plot_datacentric.py",
    "plot_regression.py",
]


class ExampleOrder:
    """Sort key: the position in ``ORDER``, then the file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        position = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return (position, filename)

    def __repr__(self):
        return f"{type(self).__name__}()"

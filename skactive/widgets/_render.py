"""What the labelling widget shows of a sample: HTML from images, texts,
table rows, or a renderer of the user's.

Nothing here imports ipywidgets: a renderer turns one sample into an HTML
fragment, which the widget's front end puts on the page.
"""

from __future__ import annotations

import base64
import html
import numbers
import os
import struct
import zlib
from pathlib import Path

import numpy as np

__all__ = ["render_sample", "sample_at"]

IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".svg": "image/svg+xml",
}
# A file shown as an image is read whole into the page: keep it reasonable.
MAX_IMAGE_BYTES = 20 * 2**20
# Table rows show this many columns (the rest are counted).
MAX_TABLE_COLUMNS = 40
RENDERERS = ("auto", "image", "text", "table")


def _png(pixels: np.ndarray) -> bytes:
    """A PNG file of ``uint8`` pixels of shape (h, w) (grey), (h, w, 3)
    (RGB) or (h, w, 4) (RGBA), written with :mod:`zlib` (no imaging
    library needed)."""
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else pixels.shape[2]
    color_type = {1: 0, 3: 2, 4: 6}[channels]
    rows = pixels.reshape(height, width * channels)
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), rows]).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """Pixel values as ``uint8``: kept if they are already, ``[0, 1]``
    floats scaled by 255, anything else stretched from its min to its max."""
    if image.dtype == np.uint8:
        return image
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    values = image.astype(np.float64)
    if not np.isfinite(values).all():
        values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    low, high = values.min(), values.max()
    if low >= 0 and high <= 1:
        return np.round(values * 255).astype(np.uint8)
    if low >= 0 and high <= 255 and np.issubdtype(image.dtype, np.integer):
        return values.astype(np.uint8)
    span = high - low
    if span == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    return np.round((values - low) * (255 / span)).astype(np.uint8)


def _img_tag(data: bytes, mime: str, width: int | None, pixelated: bool) -> str:
    style = []
    if width is not None:
        style.append(f"width:{int(width)}px")
    if pixelated:
        style.append("image-rendering:pixelated")
    attr = f' style="{";".join(style)}"' if style else ""
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="skactive-image" src="data:{mime};base64,{encoded}"{attr}>'


def image_html(image, *, image_width: int | None = None) -> str:
    """An image array of shape (h, w), (h, w, 1), (h, w, 3) or (h, w, 4)
    as an ``<img>``; small images are enlarged without blurring."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise ValueError(
            "an image sample must have the shape (height, width), (height, "
            f"width, 1), (height, width, 3) or (height, width, 4); got {arr.shape}."
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"image pixels must be numbers, got dtype {arr.dtype}.")
    width = image_width
    if width is None:
        width = max(arr.shape[1], min(8 * arr.shape[1], 160))
    pixelated = width > arr.shape[1]
    return _img_tag(
        _png(np.ascontiguousarray(_to_uint8(arr))), "image/png", width, pixelated
    )


def _image_file_html(path, image_width: int | None) -> str:
    path = Path(path)
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        raise ValueError(
            f"{os.fspath(path)!r} is not an image file the browser shows (one of "
            f"{', '.join(sorted(IMAGE_TYPES))})."
        )
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ValueError(
            f"{os.fspath(path)!r} has {size:,} bytes: larger than the "
            f"{MAX_IMAGE_BYTES:,} an image sample may have."
        )
    return _img_tag(path.read_bytes(), mime, image_width, pixelated=False)


def text_html(text) -> str:
    """A text, escaped, its line breaks kept."""
    return f'<div class="skactive-text">{html.escape(str(text))}</div>'


def table_html(values, columns=None) -> str:
    """One row as a two-column table: column name, value."""
    values = list(values)
    if columns is None:
        columns = [f"x{j}" for j in range(len(values))]
    columns = list(columns)
    rows = [
        f"<tr><th>{html.escape(str(c))}</th><td>{html.escape(_format(v))}</td></tr>"
        for c, v in zip(columns[:MAX_TABLE_COLUMNS], values[:MAX_TABLE_COLUMNS])
    ]
    if len(values) > MAX_TABLE_COLUMNS:
        rows.append(
            f'<tr><th colspan="2">... {len(values) - MAX_TABLE_COLUMNS} more '
            "columns</th></tr>"
        )
    return f'<table class="skactive-table">{"".join(rows)}</table>'


def _format(value) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{float(value):.4g}"
    return str(value)


def _is_image_path(value) -> bool:
    if isinstance(value, Path):
        return True
    return (
        isinstance(value, str)
        and len(value) < 4096
        and Path(value).suffix.lower() in IMAGE_TYPES
        and os.path.isfile(value)
    )


def sample_at(display, index: int):
    """Row ``index`` of ``display`` (an array, a DataFrame, a sparse matrix,
    a list): what a renderer receives. A DataFrame row comes as a
    one-row DataFrame, a sparse row as a one-row sparse matrix."""
    if hasattr(display, "iloc"):
        return display.iloc[[index]]
    if hasattr(display, "tocsr") and hasattr(display, "shape"):
        return display[[index]]
    return display[index]


def _repr_html(obj) -> str | None:
    """An object's rich display (``_repr_html_``, SVG, PNG, JPEG, a
    matplotlib figure) as HTML, or ``None``."""
    if hasattr(obj, "_repr_html_"):
        out = obj._repr_html_()
        if out is not None:
            return out
    if hasattr(obj, "_repr_svg_"):
        out = obj._repr_svg_()
        if out is not None:
            return out
    for method, mime in (("_repr_png_", "image/png"), ("_repr_jpeg_", "image/jpeg")):
        if hasattr(obj, method):
            out = getattr(obj, method)()
            if out is not None:
                if isinstance(out, str):
                    out = base64.b64decode(out)
                return _img_tag(out, mime, None, pixelated=False)
    if hasattr(obj, "savefig"):  # a matplotlib figure
        import io

        buffer = io.BytesIO()
        obj.savefig(buffer, format="png", bbox_inches="tight")
        return _img_tag(buffer.getvalue(), "image/png", None, pixelated=False)
    return None


def _bytes_html(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        mime = "image/png"
    elif data.startswith(b"\xff\xd8"):
        mime = "image/jpeg"
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        mime = "image/gif"
    else:
        raise ValueError(
            "a renderer returned bytes that are not a PNG, JPEG or GIF image."
        )
    return _img_tag(data, mime, None, pixelated=False)


def render_sample(
    sample,
    renderer="auto",
    *,
    image_shape=None,
    image_width: int | None = None,
    columns=None,
) -> str:
    """One sample as an HTML fragment, as the labelling widget shows it.

    Parameters
    ----------
    sample : object
        One row of the pool (or of the widget's ``display``): an image
        array, a path to an image file, a text, a one-row DataFrame, a
        feature vector, a one-row sparse matrix.
    renderer : {"auto", "image", "text", "table"} or callable, default="auto"
        How to show it. ``"auto"``: an array of 2 or 3 dimensions (or a
        1-d one with ``image_shape``) is an image, a path to an existing
        image file (``.png``, ``.jpg``...) the image in it, any other
        string a text, a DataFrame row or a 1-d vector a table. A callable
        takes the sample and returns HTML (a ``str``), image bytes (PNG,
        JPEG, GIF), or an object with a rich display (``_repr_html_``,
        ``_repr_png_``, a matplotlib figure).
    image_shape : tuple of int, default=None
        The shape of an image stored as a flat row (``(8, 8)`` for the
        digits of :func:`~sklearn.datasets.load_digits`).
    image_width : int, default=None
        Width of an image on the page, in pixels; ``None``: small images
        enlarged up to 160 pixels, without blurring.
    columns : list of str, default=None
        Names of a feature vector's entries, for a table (a DataFrame has
        its own).

    Returns
    -------
    html : str
        The fragment (texts escaped; a renderer's HTML as it is).

    Examples
    --------
    >>> import numpy as np
    >>> from skactive.widgets import render_sample
    >>> render_sample("a <b>short</b> text")
    '<div class="skactive-text">a &lt;b&gt;short&lt;/b&gt; text</div>'
    >>> render_sample(np.eye(8), image_width=80)[:54]
    '<img class="skactive-image" src="data:image/png;base64'
    """
    if callable(renderer):
        out = renderer(sample)
        if isinstance(out, str):
            return out
        if isinstance(out, bytes | bytearray):
            return _bytes_html(bytes(out))
        rich = _repr_html(out)
        if rich is None:
            raise TypeError(
                "renderer must return HTML (a str), image bytes or an object with "
                f"a rich display (_repr_html_, _repr_png_...); got "
                f"{type(out).__name__}."
            )
        return rich
    if not (isinstance(renderer, str) and renderer in RENDERERS):
        raise ValueError(
            f"renderer must be one of {RENDERERS} or a callable, got {renderer!r}."
        )
    if hasattr(sample, "iloc"):  # a one-row DataFrame, or a Series
        if renderer in ("image", "text"):
            raise ValueError(
                f'renderer="{renderer}" cannot show a DataFrame row; use "table".'
            )
        if sample.ndim == 2:
            return table_html(sample.iloc[0].tolist(), [str(c) for c in sample.columns])
        return table_html(sample.tolist(), [str(c) for c in sample.index])
    if hasattr(sample, "tocsr") and hasattr(sample, "shape"):  # a sparse row
        row = sample.tocsr()
        nonzero = row.indices
        return table_html(
            row.data.tolist(),
            [str(columns[j]) if columns is not None else f"x{j}" for j in nonzero],
        )
    if renderer == "text" or (
        renderer == "auto" and isinstance(sample, str) and not _is_image_path(sample)
    ):
        return text_html(sample)
    if isinstance(sample, str | Path | np.str_):
        if renderer == "table":
            return table_html([sample], columns or ["value"])
        return _image_file_html(os.fspath(sample), image_width)
    arr = np.asarray(sample)
    if image_shape is not None and renderer in ("auto", "image"):
        try:
            arr = arr.reshape(tuple(image_shape))
        except (TypeError, ValueError):
            raise ValueError(
                f"image_shape={image_shape!r} does not fit a sample of shape "
                f"{arr.shape}."
            ) from None
    if renderer == "image" or (renderer == "auto" and arr.ndim in (2, 3)):
        return image_html(arr, image_width=image_width)
    if arr.ndim == 0:
        return table_html([arr.item()], columns or ["value"])
    if arr.ndim == 1:
        return table_html(arr.tolist(), columns)
    raise ValueError(
        f"cannot show a sample of shape {arr.shape} as a {renderer}: give "
        "renderer= a function returning HTML."
    )

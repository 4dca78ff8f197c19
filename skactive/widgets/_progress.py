"""The widget's progress panel as HTML: labels, budget, class counts, the
score and a small learning curve (an inline SVG, no plotting library)."""

from __future__ import annotations

import html

__all__ = ["curve_svg", "progress_html"]


def curve_svg(curve, *, width: int = 220, height: int = 110) -> str:
    """A learning curve, ``[(n_labels, score), ...]``, as an inline SVG."""
    if len(curve) < 1:
        return ""
    pad_left, pad_bottom, pad = 30, 16, 6
    xs = [float(n) for n, _ in curve]
    ys = [float(s) for _, s in curve]
    x_low, x_high = min(xs), max(xs)
    y_low, y_high = min(0.0, min(ys)), max(1.0, max(ys))
    x_span = (x_high - x_low) or 1.0
    y_span = (y_high - y_low) or 1.0

    def px(x, y):
        return (
            pad_left + (x - x_low) / x_span * (width - pad_left - pad),
            pad + (1 - (y - y_low) / y_span) * (height - pad_bottom - pad),
        )

    points = " ".join("{:.1f},{:.1f}".format(*px(x, y)) for x, y in zip(xs, ys))
    dots = "".join(
        '<circle cx="{:.1f}" cy="{:.1f}" r="2.2" fill="#0969da"/>'.format(*px(x, y))
        for x, y in zip(xs, ys)
    )
    x0, y0 = px(x_low, y_low)
    x1, y1 = px(x_high, y_high)
    axis = (
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y0:.1f}" '
        'stroke="#8c959f"/>'
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x0:.1f}" y2="{y1:.1f}" '
        'stroke="#8c959f"/>'
    )
    text = 'font-size="9" fill="#59636e"'
    labels = (
        f'<text x="{x0 - 3:.1f}" y="{y0:.1f}" text-anchor="end" {text}>'
        f"{y_low:.1g}</text>"
        f'<text x="{x0 - 3:.1f}" y="{y1 + 6:.1f}" text-anchor="end" {text}>'
        f"{y_high:.1g}</text>"
        + (
            f'<text x="{x0:.1f}" y="{height - 3}" {text}>{int(x_low)}</text>'
            if x_high > x_low
            else ""
        )
        + f'<text x="{x1:.1f}" y="{height - 3}" text-anchor="end" {text}>'
        f"{int(x_high)} labels</text>"
    )
    return (
        f'<svg class="skactive-curve" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="learning curve">'
        f"{axis}{labels}"
        f'<polyline points="{points}" fill="none" stroke="#0969da" '
        f'stroke-width="1.5"/>{dots}</svg>'
    )


def progress_html(progress: dict) -> str:
    """The progress panel from :meth:`LabellingQueue.progress
    <skactive.widgets.LabellingQueue.progress>`."""
    budget = progress["budget"]
    new = progress["n_new"]
    lines = [
        f"<div><b>{progress['n_labels']}</b> labels in the session, "
        f"<b>{new}</b> here"
        + (f" of a budget of {budget}" if budget is not None else "")
        + "</div>",
        f"<div>queued {progress['n_queued']} &middot; skipped "
        f"{progress['n_skipped']} &middot; not sure {progress['n_unsure']}</div>",
    ]
    if budget:
        pct = min(100.0, 100.0 * new / budget)
        lines.append(
            '<div style="background:#eaeef2;border-radius:2px;margin:3px 0">'
            f'<div class="skactive-bar" style="width:{pct:.1f}%"></div></div>'
        )
    counts = progress["class_counts"]
    top = max(counts.values(), default=0) or 1
    rows = "".join(
        f"<tr><td>{html.escape(str(label))}</td><td>{count}</td>"
        f'<td style="width:60%"><div class="skactive-bar" '
        f'style="width:{100.0 * count / top:.1f}%"></div></td></tr>'
        for label, count in counts.items()
    )
    lines.append(f'<table class="skactive-counts">{rows}</table>')
    if progress["score"] is not None:
        n_last = progress["curve"][-1][0]
        lines.append(
            f"<div>score <b>{progress['score']:.3f}</b> on the held-out set "
            f"(model of {n_last} labels)</div>"
        )
        lines.append(curve_svg(progress["curve"]))
    return "".join(lines)

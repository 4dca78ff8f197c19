"""The code snippets of the documentation run.

Every fenced ```` ```python ```` block of every ``docs/*.md`` page runs, the
blocks of one page in order in one namespace (as a reader pastes them into
one session), in a fresh temporary working directory, with matplotlib on its
non-interactive backend. A block whose first line is a marker comment::

    # docs-test: skip <the reason>

is skipped with its reason (it needs the network, an optional extra, or a
placeholder the reader fills in); the test of its page reports it. See
CONTRIBUTING.md.
"""

from __future__ import annotations

import re
import sys
import types
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*.md"))

# Pages whose snippets take more than ~20 s on 2 cores (none today).
SLOW_PAGES: set[str] = set()

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_SKIP = re.compile(r"^#\s*docs-test:\s*skip\b\s*(?P<reason>.*)$")


def extract_blocks(text: str) -> list[tuple[int, str]]:
    """``(line number, source)`` of each ```` ```python ```` block of a page.

    Fences may be indented (inside a list) and nest (a longer fence holds
    shorter ones); only blocks whose info string is ``python`` (or ``py``)
    are returned, dedented.
    """
    blocks = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        fence, indent = match["fence"], match["indent"]
        info = match["info"].strip().split()
        start = i + 1
        i = start
        while i < len(lines):
            closing = _FENCE.match(lines[i])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            i += 1
        body = lines[start:i]
        i += 1
        if info and info[0] in ("python", "py"):
            dedented = [
                line[len(indent) :] if line.startswith(indent) else line.lstrip()
                for line in body
            ]
            blocks.append((start, "\n".join(dedented) + "\n"))
    return blocks


def skip_reason(source: str) -> str | None:
    """The reason of a block's ``# docs-test: skip`` marker, or ``None``."""
    for line in source.splitlines():
        if not line.strip():
            continue
        match = _SKIP.match(line.strip())
        if match:
            return match["reason"] or "marked # docs-test: skip"
        return None
    return None


def _page_params():
    for page in PAGES:
        if not extract_blocks(page.read_text(encoding="utf-8")):
            continue  # api.md, benchmarks.md...: nothing to run
        marks = [pytest.mark.slow] if page.name in SLOW_PAGES else []
        yield pytest.param(page, id=page.stem, marks=marks)


def test_extract_blocks_finds_python_fences_only():
    text = (
        "Intro\n\n```python\nx = 1\n```\n\n```bash\nmake\n```\n\n"
        "1. In a list:\n\n   ```python\n   y = x + 1\n   ```\n\n"
        "````md\n```python\nnot_run()\n```\n````\n"
    )
    assert [src for _, src in extract_blocks(text)] == ["x = 1\n", "y = x + 1\n"]
    assert skip_reason("# docs-test: skip needs the network\nfetch()\n") == (
        "needs the network"
    )
    assert skip_reason("\nx = 1  # docs-test: skip\n") is None


@pytest.mark.parametrize("page", list(_page_params()))
def test_docs_snippets_run(page, tmp_path, monkeypatch):
    blocks = extract_blocks(page.read_text(encoding="utf-8"))
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - the plot extra is installed in CI
        plt = None
    else:
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    # the page runs as a module of its own, so that the classes it defines
    # pickle (scikit-learn's checks and joblib's processes pickle estimators)
    module = types.ModuleType(f"skactive_docs_{page.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    skipped = []
    try:
        for line, source in blocks:
            reason = skip_reason(source)
            if reason is not None:
                skipped.append(f"{page.name}:{line}: {reason}")
                continue
            code = compile("\n" * line + source, str(page), "exec")
            try:
                with warnings.catch_warnings():
                    # a snippet may warn (that is sometimes what it shows)
                    warnings.simplefilter("ignore")
                    exec(code, namespace)
            except Exception as exc:
                raise AssertionError(
                    f"the block at {page.name}:{line} fails:\n{source}"
                ) from exc
    finally:
        if plt is not None:
            plt.close("all")
    for message in skipped:
        warnings.warn(f"docs snippet skipped: {message}", UserWarning, stacklevel=1)

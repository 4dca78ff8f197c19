"""Command-line sessions that cannot lose or corrupt work (issue 19).

Two ``skactive teach`` at once, a start killed between its writes, settings
files written by hand, hostile session files, ``--accept-pool`` and CSV
files that a spreadsheet opens safely.
"""

import contextlib
import csv
import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from sklearn.datasets import load_iris

from skactive.cli import main
from skactive.cli._io import neutralise_cell, unquote_cell
from skactive.loop import read_session

from .test_session_files import (
    _acknowledged,
    _child,
    _good_file,
    _mutate,
    _wait,
    needs_fork,
)

SPECIES = ["setosa", "versicolor", "virginica"]


@pytest.fixture()
def pool_csv(tmp_path):
    X, _ = load_iris(return_X_y=True)
    path = tmp_path / "pool.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "a", "b", "c", "d"])
        writer.writerows([f"flower{i}", *x] for i, x in enumerate(X))
    return path


def _args(pool, session):
    return ["--pool", str(pool), "--session", str(session)]


def _labels_file(path: Path, rows) -> Path:
    path.write_text("row,label\n" + "".join(f"{r},{SPECIES[r // 50]}\n" for r in rows))
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skactive: error: "), err
    return err[0]


# ------------------------------------------------------------ two writers
def _cli_teacher(common, labels, barrier, ack_fd):
    barrier()
    if main(["teach", *common, "--labels", str(labels)]) != 0:
        raise SystemExit("teach failed")
    rows = [line.split(",")[0] for line in labels.read_text().splitlines()[1:]]
    os.write(ack_fd, "".join(f"{r}\n" for r in rows).encode())  # acknowledged


@needs_fork
def test_two_teach_commands_at_once_lose_no_label(tmp_path, pool_csv, monkeypatch):
    # 50 races of two `skactive teach` processes on one session, each with
    # its own labels file (row 50 in both, alike): no acknowledged label is
    # lost, and both succeed.
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # see no_fsync
    first = tmp_path / "first.json"
    assert main(["query", *_args(pool_csv, first), "--strategy", "margin",
                 "--model", "nb", "--id-column", "id",
                 "--output", str(tmp_path / "n.csv")]) == 0  # fmt: skip
    files = [
        _labels_file(tmp_path / "a.csv", [0, 1, 2, 50, 3]),
        _labels_file(tmp_path / "b.csv", [100, 101, 50, 102, 103]),
    ]
    lost = failures = acknowledged = 0
    for trial in range(50):
        session = tmp_path / f"race{trial}.json"
        session.write_bytes(first.read_bytes())
        Path(f"{session}.cli.json").write_bytes(Path(f"{first}.cli.json").read_bytes())
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()

        def barrier(ready_w=ready_w, go_r=go_r):
            os.write(ready_w, b"1")
            os.read(go_r, 1)

        children = []
        for labels in files:
            ack_r, ack_w = os.pipe()
            common = _args(pool_csv, session)
            pid = _child(_cli_teacher, common, labels, barrier, ack_w)
            children.append((pid, ack_r))
            os.close(ack_w)
        for _ in children:
            os.read(ready_r, 1)
        os.write(go_w, b"go")
        rows = set()
        for pid, ack_r in children:
            rows.update(_acknowledged(ack_r))
            failures += _wait(pid) != 0
        for fd in (ready_r, ready_w, go_r, go_w):
            os.close(fd)
        saved = read_session(session)
        found = dict(zip(saved.indices.tolist(), saved.labels.tolist()))
        acknowledged += len(rows)
        lost += sum(found.get(r) != SPECIES[r // 50] for r in rows)
    assert (lost, failures, acknowledged) == (0, 0, 50 * 9)


@pytest.mark.slow
def test_two_teach_programs_at_once_lose_no_label(tmp_path, pool_csv):
    # The same race with real programs (a fresh interpreter each), 5 times.
    first = tmp_path / "first.json"
    out = ["--output", str(tmp_path / "n.csv")]
    assert main(["query", *_args(pool_csv, first), "--strategy", "margin",
                 "--id-column", "id", *out]) == 0  # fmt: skip
    files = [
        _labels_file(tmp_path / "a.csv", [0, 1, 2, 50]),
        _labels_file(tmp_path / "b.csv", [100, 101, 50, 102]),
    ]
    program = "import sys; from skactive.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    for trial in range(5):
        session = tmp_path / f"race{trial}.json"
        session.write_bytes(first.read_bytes())
        Path(f"{session}.cli.json").write_bytes(Path(f"{first}.cli.json").read_bytes())
        argv = [sys.executable, "-c", program, "teach", *_args(pool_csv, session)]
        procs = [
            subprocess.Popen(
                [*argv, "--labels", str(labels)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
            )
            for labels in files
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        assert sorted(read_session(session).indices.tolist()) == [
            0, 1, 2, 50, 100, 101, 102,
        ]  # fmt: skip


# ------------------------------------------------------------ starts
_KILL_AT = ("open", "fsync", "replace")


def _killed_start(argv, k):
    """``skactive query`` killed (``os._exit``, no clean-up) just before the
    ``k``-th file-system call of ``_KILL_AT``; exits 200 + status if it ends
    before."""
    count = [0]
    for name in _KILL_AT:
        real = getattr(os, name)

        def wrapped(*args, _real=real, **kwargs):
            count[0] += 1
            if count[0] == k:
                os._exit(137)
            return _real(*args, **kwargs)

        setattr(os, name, wrapped)
    os._exit(200 + main(argv))


@needs_fork
def test_a_first_query_killed_at_any_point_leaves_a_usable_session(
    tmp_path, pool_csv, capsys
):
    points = 0
    for k in range(1, 100):
        session = tmp_path / f"s{k}.json"
        common = _args(pool_csv, session)
        start = ["query", *common, "--id-column", "id", "--strategy", "margin",
                 "--batch-size", "3", "--output", str(tmp_path / "n.csv")]  # fmt: skip
        status = _wait(_child(_killed_start, start, k))
        if status == 200:  # the start ended before the k-th call
            break
        assert status == 137
        points += 1
        # Whatever the point, the next commands work: a start again, then
        # teach and status.
        assert main(start) == 0, (k, capsys.readouterr().err)
        labels = _labels_file(tmp_path / "l.csv", [0, 60])
        assert main(["teach", *common, "--labels", str(labels)]) == 0, k
        assert main(["status", "--session", str(session)]) == 0, k
        settings = json.loads(Path(f"{session}.cli.json").read_text())
        assert (settings["strategy"], settings["batch_size"]) == ("margin", 3)
    assert points >= 12  # the lock, the settings, the session, the rows to label


def test_settings_without_a_session_are_a_fresh_start(tmp_path, pool_csv, capsys):
    session = tmp_path / "s.json"
    settings = Path(f"{session}.cli.json")
    # what a start killed between its two writes leaves, with other options
    settings.write_text(json.dumps({"strategy": "coreset", "text_column": "nope"}))
    assert main(["teach", *_args(pool_csv, session), "--labels", "x.csv"]) == 2
    assert "no session" in _one_error_line(capsys)
    out = ["--output", str(tmp_path / "n.csv"), "--id-column", "id"]
    assert main(["query", *_args(pool_csv, session), "--batch-size", "4", *out]) == 0
    assert json.loads(settings.read_text()) == {
        "strategy": "adaptive", "model": "logreg", "batch_size": 4,
        "seed": 0, "id_column": "id", "label_column": None, "text_column": None,
    }  # fmt: skip


def test_a_session_without_its_settings_says_how_to_fix_it(tmp_path, pool_csv,
                                                           capsys):  # fmt: skip
    session = tmp_path / "s.json"
    common = _args(pool_csv, session)
    out = ["--output", str(tmp_path / "n.csv"), "--id-column", "id"]
    assert main(["query", *common, "--strategy", "margin", *out]) == 0
    Path(f"{session}.cli.json").unlink()
    labels = _labels_file(tmp_path / "l.csv", [0, 60])
    assert main(["teach", *common, "--labels", str(labels)]) == 2
    line = _one_error_line(capsys)
    assert "s.json.cli.json is missing" in line and "run `skactive query --pool" in line
    assert main(["query", *common, "--strategy", "margin", *out]) == 0
    assert "written again from the options given" in capsys.readouterr().err
    assert main(["teach", *common, "--labels", str(labels)]) == 0


@pytest.mark.parametrize(
    "content, field",
    [
        ('{"batch_size": "5"}', "batch_size: must be an integer"),
        ('{"batch_size": 0}', r"batch_size: must be in [1, "),
        ('{"seed": -3}', "seed: must be in [0, "),
        ('{"strategy": "nope"}', "strategy: must be one of"),
        ('{"model": 3}', "model: must be one of"),
        ('{"id_column": ["a"]}', "id_column: must be a column name"),
        ('{"colour": "red"}', "colour: unknown setting"),
        ("[1, 2]", "must hold a JSON object"),
        ("{not json", "not JSON"),
        ('{"a": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested too deeply"),
    ],
)
def test_a_hand_edited_settings_file_is_one_clear_line(tmp_path, pool_csv, capsys,
                                                       content, field):  # fmt: skip
    session = tmp_path / "s.json"
    common = _args(pool_csv, session)
    assert main(["query", *common, "--id-column", "id",
                 "--output", str(tmp_path / "n.csv")]) == 0  # fmt: skip
    Path(f"{session}.cli.json").write_text(content)
    capsys.readouterr()
    for argv in (["status", "--session", str(session)], ["status", *common]):
        assert main(argv) == 2
        line = _one_error_line(capsys)
        assert "s.json.cli.json is not a valid settings file" in line
        assert field in line


# ------------------------------------------------------------ hostile files
def _status_of(session, capsys):
    status = main(["status", "--session", str(session)])
    return status, capsys.readouterr()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda s: s["labels"].update(dtype="<U25000000"), None),
        (lambda s: s.pop("labels"), "labels: missing"),
        (lambda s: s["pool"].update(n_samples="150"), "n_samples: must be an integer"),
        (lambda s: s["history"][0].update(n_labels="2"), "n_labels: must be an int"),
        (lambda s: s.update(pool=[[[[[[0]]]]]]), "pool: must be an object"),
        (lambda s: s["labels"].update(values=None), "values: must be a list"),
    ],
)
def test_status_on_a_hostile_session_file(tmp_path, pool_csv, capsys, edit, message):
    session = tmp_path / "s.json"
    common = _args(pool_csv, session)
    assert main(["query", *common, "--id-column", "id",
                 "--output", str(tmp_path / "n.csv")]) == 0  # fmt: skip
    labels = _labels_file(tmp_path / "l.csv", [0, 60])
    assert main(["teach", *common, "--labels", str(labels)]) == 0
    state = json.loads(session.read_text())
    edit(state)
    session.write_text(json.dumps(state))  # 1.3 KB
    capsys.readouterr()
    tracemalloc.start()
    try:
        status, captured = _status_of(session, capsys)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 8 << 20  # the issue saw 2.3 GiB for the dtype "<U25000000"
    if message is None:
        assert status == 0 and "labelled: 2" in captured.out
        return
    assert status == 2
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "s.json is not a valid" in err[0]


def test_a_deeply_nested_session_file_is_one_line(tmp_path, capsys):
    session = tmp_path / "s.json"
    session.write_text('{"format": "skactive.ActiveLearner", "version": 2, "pool": '
                       + "[" * 100_000 + "]" * 100_000 + "}")  # fmt: skip
    Path(f"{session}.cli.json").write_text("{}")
    assert main(["status", "--session", str(session)]) == 2
    assert "nested too deeply" in _one_error_line(capsys)


def test_status_on_fuzzed_session_files_is_one_line(tmp_path, capsys):
    import numpy as np

    good = _good_file(tmp_path)
    session = tmp_path / "fuzzed.json"
    Path(f"{session}.cli.json").write_text("{}")
    rng = np.random.default_rng(7)
    statuses = set()
    for case in range(60):  # 30 ms each, for argparse (the library: 300 cases)
        what, data = _mutate(good, rng)
        session.write_bytes(data)
        status = main(["status", "--session", str(session)])
        captured = capsys.readouterr()
        statuses.add(status)
        if status == 2:
            err = captured.err.strip().splitlines()
            assert len(err) == 1 and "fuzzed.json is not a valid" in err[0], what
        else:
            assert status == 0 and not captured.err, (case, what, captured.err)
    assert statuses == {0, 2}


# ------------------------------------------------------------ --accept-pool
def test_accept_pool_rebinds_a_session_to_a_corrected_pool(tmp_path, pool_csv,
                                                           capsys):  # fmt: skip
    session = tmp_path / "s.json"
    common = _args(pool_csv, session)
    out = ["--output", str(tmp_path / "n.csv")]
    assert main(["query", *common, "--id-column", "id", *out]) == 0
    labels = _labels_file(tmp_path / "l.csv", [0, 60])
    assert main(["teach", *common, "--labels", str(labels)]) == 0
    lines = pool_csv.read_text().splitlines()
    lines[8] = lines[8].rsplit(",", 1)[0] + ",0.25"  # a value corrected
    pool_csv.write_text("\n".join(lines) + "\n")
    capsys.readouterr()
    assert main(["query", *common, *out]) == 2
    assert "--accept-pool to make this file the session's pool" in (
        _one_error_line(capsys)
    )
    assert main(["query", *common, *out, "--no-check-pool"]) == 0  # once
    assert main(["query", *common, *out]) == 2  # still the old pool's
    capsys.readouterr()
    labels = _labels_file(tmp_path / "m.csv", [1, 120])
    assert main(["teach", *common, "--labels", str(labels), "--accept-pool"]) == 0
    assert "the pool of the session" in capsys.readouterr().out
    assert main(["query", *common, *out]) == 0  # its pool from now on
    assert sorted(read_session(session).indices.tolist()) == [0, 1, 60, 120]
    lines[9] = lines[9].rsplit(",", 1)[0] + ",nan"  # a corrected pool that is not
    pool_csv.write_text("\n".join(lines) + "\n")
    assert main(["query", *common, *out, "--accept-pool"]) == 2
    line = _one_error_line(capsys)
    assert "--accept-pool: the session's model cannot read" in line and "NaN" in line


# ------------------------------------------------------------ spreadsheets
def test_csv_outputs_are_safe_in_a_spreadsheet(tmp_path, capsys):
    pool = tmp_path / "pool.csv"
    ids = ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3",
           "\tx", "plain", "-1.5", "+2e3"]  # fmt: skip
    with pool.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "a", "b"])
        writer.writerows([name, -1.5 * i, f"{i}"] for i, name in enumerate(ids * 3))
    session = tmp_path / "s.json"
    common = _args(pool, session)
    to_label = tmp_path / "next.csv"
    assert main(["query", *common, "--id-column", "id", "--strategy", "random",
                 "--batch-size", "24", "--output", str(to_label)]) == 0  # fmt: skip
    with to_label.open(newline="") as f:
        rows = list(csv.DictReader(f))
    shown = {r["id"] for r in rows}
    assert shown == {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+cmd|' /C calc'!A0",
                     "'-2+3", "'\tx", "plain", "-1.5", "+2e3"}  # fmt: skip
    assert {r["a"] for r in rows if r["row"] == "1"} == {"-1.5"}  # numbers stay
    labels = tmp_path / "l.csv"
    labels.write_text("row,label\n0,=bad\n1,-neg\n2,@x\n")
    assert main(["teach", *common, "--labels", str(labels)]) == 0
    export = tmp_path / "labels.csv"
    assert main(["export", "--session", str(session), "--output", str(export)]) == 0
    assert export.read_text() == "row,label\n0,'=bad\n1,'-neg\n2,'@x\n"
    capsys.readouterr()
    # the export read back as labels: the same labels, nothing changed
    assert main(["teach", *common, "--labels", str(export)]) == 0
    assert "taught 0 new and 0 changed labels (3 already known)" in (
        capsys.readouterr().out
    )
    assert [neutralise_cell(c) for c in ("-0.5", "-", "1e5", "-inf", 3)] == [
        "-0.5", "'-", "1e5", "'-inf", 3,
    ]  # fmt: skip
    assert unquote_cell("'=x") == "=x" and unquote_cell("'quoted'") == "'quoted'"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_teach_through_a_symbolic_link_keeps_it(tmp_path, pool_csv):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "s.json"
    out = ["--output", str(tmp_path / "n.csv"), "--id-column", "id"]
    assert main(["query", *_args(pool_csv, target), *out]) == 0
    link = tmp_path / "s.json"
    link.symlink_to(target)
    Path(f"{link}.cli.json").symlink_to(Path(f"{target}.cli.json"))
    labels = _labels_file(tmp_path / "l.csv", [0, 60])
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["teach", *_args(pool_csv, link), "--labels", str(labels)]) == 0
    assert link.is_symlink()
    assert sorted(read_session(target).indices.tolist()) == [0, 60]


def test_a_negative_seed_is_an_argument_error(tmp_path, pool_csv, capsys):
    with pytest.raises(SystemExit):
        main(["query", *_args(pool_csv, tmp_path / "s.json"), "--seed", "-1"])
    assert "expected an integer in [0, 2**32 - 1]" in capsys.readouterr().err

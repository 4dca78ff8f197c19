"""The skactive command: simulate, query/teach sessions and clear errors."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_iris

from skactive.cli import main


@pytest.fixture()
def pool_csv(tmp_path):
    X, _ = load_iris(return_X_y=True)
    path = tmp_path / "pool.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "a", "b", "c", "d"])
        writer.writerows([f"flower{i}", *x] for i, x in enumerate(X))
    return path


def _fill_labels(path):
    names = ["setosa", "versicolor", "virginica"]
    rows = list(csv.reader(path.open()))
    for row in rows[1:]:
        row[-1] = names[int(row[0]) // 50]
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(rows)


def test_simulate_prints_a_table_and_writes_results(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(
        [
            "simulate", "--dataset", "iris", "--strategies", "random,margin",
            "--initial-size", "6", "--batch-size", "6", "--budget", "24",
            "--repeats", "2", "--output", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    text = capsys.readouterr().out
    assert "labels_to_90pct" in text and "gain_over_random" in text
    summary = json.loads((out / "summary.json").read_text())
    assert [row["strategy"] for row in summary["table"]] == ["random", "margin"]
    assert 0.5 < summary["full_data_accuracy"] <= 1.0
    rows = list(csv.DictReader((out / "curves.csv").open()))
    # 2 strategies x 2 repeats x (initial + 4 batches) points
    assert len(rows) == 2 * 2 * 5
    assert {int(r["n_labels"]) for r in rows} == {6, 12, 18, 24, 30}
    assert (out / "learning_curves.png").stat().st_size > 10_000


def test_simulate_on_a_csv_file(tmp_path, capsys):
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "data.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["w", "x", "species", "z", "v"])
        writer.writerows([*x[:2], label, *x[2:]] for x, label in zip(X, y))
    status = main(
        [
            "simulate", "--dataset", str(path), "--label-column", "species",
            "--strategies", "entropy", "--budget", "10", "--batch-size", "5",
            "--initial-size", "5", "--repeats", "1", "--progress",
            "--output", str(tmp_path / "o"),
        ]
    )  # fmt: skip
    assert status == 0
    captured = capsys.readouterr()
    assert "4 features, 3 classes" in captured.out
    assert "compare" in captured.err  # the progress bar, asked for


def test_query_teach_resume(tmp_path, pool_csv, capsys):
    session, to_label = tmp_path / "s.json", tmp_path / "next.csv"
    common = ["--pool", str(pool_csv), "--session", str(session)]
    assert main(["query", *common, "--id-column", "id", "--batch-size", "5",
                 "--output", str(to_label)]) == 0  # fmt: skip
    first = [int(r["row"]) for r in csv.DictReader(to_label.open())]
    assert len(first) == 5 and len(set(first)) == 5
    _fill_labels(to_label)
    assert main(["teach", *common, "--labels", str(to_label)]) == 0
    # teaching the same file again is harmless
    assert main(["teach", *common, "--labels", str(to_label)]) == 0
    assert "0 new" in capsys.readouterr().out
    saved = json.loads(session.read_text())
    assert sorted(saved["indices"]) == sorted(first)
    # the next query skips labelled rows; settings are remembered
    assert main(["query", *common, "--output", str(to_label)]) == 0
    second = [int(r["row"]) for r in csv.DictReader(to_label.open())]
    assert len(second) == 5 and not set(first) & set(second)
    # a different label for a labelled row needs --relabel
    labels = tmp_path / "fix.csv"
    labels.write_text(f"row,label\n{first[0]},nonsense\n")
    assert main(["teach", *common, "--labels", str(labels)]) == 2
    assert "already labelled" in capsys.readouterr().err
    assert main(["teach", *common, "--labels", str(labels), "--relabel"]) == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", "--strategies", "margin,nope"], "unknown strategy 'nope'"),
        (["simulate", "--dataset", "mnist"], "unknown dataset 'mnist'"),
        (["simulate", "--model", "gpt"], "unknown model 'gpt'"),
        (["simulate", "--dataset", "missing.csv"], "no such file: missing.csv"),
        (["simulate", "--dataset", "iris", "--budget", "500"], "training pool has"),
        (["teach", "--pool", "p.csv", "--session", "none.json", "--labels", "l.csv"],
         "no session"),
    ],
)  # fmt: skip
def test_bad_input_gives_one_line_and_status_2(argv, message, tmp_path, capsys,
                                               monkeypatch):  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.csv").write_text("a,b\n1,2\n")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("skactive: error:")
    assert message in err[0]


def test_malformed_files(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,x\n")
    args = ["query", "--pool", str(bad), "--session", str(tmp_path / "s.json")]
    assert main(args) == 2
    assert "feature columns must be numeric" in capsys.readouterr().err
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2,3\n")
    args[2] = str(ragged)
    assert main(args) == 2
    assert "3 fields, but the header has 2" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["simulate", "query", "teach", "status"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: skactive {command}" in out
    assert "%%" not in out  # descriptions are printed as written


def test_the_command_runs_as_a_program():
    script = Path(sys.executable).with_name("skactive")
    if not script.exists():
        pytest.skip("the skactive console script is not installed next to python")
    exe = [str(script)]
    listed = subprocess.run([*exe, "strategies"], capture_output=True, text=True)
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert {"random", "margin", "mutual_information", "coreset", "badge"} <= set(names)
    bad = subprocess.run([*exe, "simulate", "--model", "x"], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "skactive: error: unknown model 'x'; choose from: hgb, knn, logreg, nb, rf, svc"
    )


def test_a_declared_label_set_rejects_a_misspelt_label(tmp_path, pool_csv, capsys):
    session, to_label = tmp_path / "s.json", tmp_path / "next.csv"
    common = ["--pool", str(pool_csv), "--session", str(session)]
    assert main(["query", *common, "--id-column", "id", "--output", str(to_label),
                 "--classes", "setosa,versicolor,virginica"]) == 0  # fmt: skip
    labels = tmp_path / "typo.csv"
    labels.write_text("row,label\n0,setossa\n")
    assert main(["teach", *common, "--labels", str(labels)]) == 2
    assert "not in the declared classes" in capsys.readouterr().err
    assert json.loads(session.read_text())["indices"] == []  # nothing recorded
    _fill_labels(to_label)
    assert main(["teach", *common, "--labels", str(to_label)]) == 0
    assert main(["status", *common]) == 0
    assert "'virginica': " in capsys.readouterr().out  # counts of every class
    assert main(["query", *common, "--classes", "a,b"]) == 2
    assert "differs from the session's label set" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:  # argparse's usage error
        main(["query", *common, "--classes", "a"])
    assert exit_info.value.code == 2
    assert "at least 2 distinct" in capsys.readouterr().err

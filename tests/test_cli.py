"""The skactive command: simulate, query/teach sessions and clear errors."""

import csv
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
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
    assert "balanced_gain" in text
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


@pytest.mark.parametrize(
    "command", ["simulate", "query", "teach", "status", "export", "predict"]
)
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
    assert {"max_std", "emcm", "gsx", "gsy", "igs"} <= set(names)
    bad = subprocess.run([*exe, "simulate", "--model", "x"], capture_output=True,
                         text=True)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "skactive: error: unknown model 'x'; choose from: bayesian_ridge, gp, hgb, "
        "knn, logreg, nb, rf, rf_regressor, ridge_committee, svc, tfidf_logreg"
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


# ------------------------------------------------- sessions (issue 15, item 9)
def _session(tmp_path, pool_csv, *extra):
    """A session on the iris pool with rows 0, 1 (setosa) and 50 (versicolor)
    labelled; returns the arguments naming it."""
    common = ["--pool", str(pool_csv), "--session", str(tmp_path / "s.json")]
    assert main(["query", *common, "--id-column", "id", "--batch-size", "3",
                 "--output", str(tmp_path / "next.csv"), *extra]) == 0  # fmt: skip
    labels = tmp_path / "first.csv"
    labels.write_text("row,label\n0,setosa\n1,setosa\n50,versicolor\n")
    assert main(["teach", *common, "--labels", str(labels)]) == 0
    return common


def test_status_reads_the_session_file_without_the_pool(tmp_path, pool_csv, capsys):
    common = _session(tmp_path, pool_csv)
    capsys.readouterr()
    pool_csv.unlink()  # not needed
    assert main(["status", "--session", str(tmp_path / "s.json")]) == 0
    out = capsys.readouterr().out
    assert "pool: 150 rows; labelled: 3 (2.0%) in 1 rounds, 2 classes" in out
    assert "labels per class: {'setosa': 2, 'versicolor': 1}" in out
    assert "strategy adaptive, model logreg, batch size 3" in out
    assert main(["status", *common]) == 2  # a pool given must exist
    assert "no such file" in capsys.readouterr().err
    assert main(["status", "--session", str(tmp_path / "none.json")]) == 2
    assert "no session" in capsys.readouterr().err


def test_status_without_the_pool_lists_every_declared_class(tmp_path, pool_csv,
                                                            capsys):  # fmt: skip
    _session(tmp_path, pool_csv, "--classes", "setosa,versicolor,virginica")
    capsys.readouterr()
    assert main(["status", "--session", str(tmp_path / "s.json")]) == 0
    assert "{'setosa': 2, 'versicolor': 1, 'virginica': 0}" in capsys.readouterr().out


def test_a_changed_pool_names_the_no_check_pool_flag(tmp_path, pool_csv, capsys):
    common = _session(tmp_path, pool_csv)
    lines = pool_csv.read_text().splitlines()
    lines[5] = lines[5].replace("flower4", "flower4b")  # the same features
    lines[6] = lines[6][:-1] + "9"  # one value changed
    pool_csv.write_text("\n".join(lines) + "\n")
    out = ["--output", str(tmp_path / "next.csv")]
    for argv in (["query", *common, *out], ["status", *common]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "differs from the pool of the session" in err
        assert "--no-check-pool" in err and "check_pool=False" not in err
    assert main(["query", *common, *out, "--no-check-pool"]) == 0
    assert main(["status", *common, "--no-check-pool"]) == 0
    pool_csv.write_text("\n".join(lines[:-1]) + "\n")  # a row fewer
    assert main(["status", *common, "--no-check-pool"]) == 2
    assert "has 149 rows, but the session" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_knn_fits_from_two_labels(tmp_path, pool_csv, capsys):
    from sklearn.base import clone
    from sklearn.utils.estimator_checks import check_estimator

    from skactive.cli._estimators import FewLabelsKNeighborsClassifier

    common = _session(tmp_path, pool_csv, "--model", "knn")  # 3 labels
    to_label = tmp_path / "next.csv"
    assert main(["query", *common, "--output", str(to_label)]) == 0
    assert len(list(csv.DictReader(to_label.open()))) == 3
    model = FewLabelsKNeighborsClassifier().fit([[0.0], [1.0], [9.0]], [0, 0, 1])
    assert model.estimator_.n_neighbors == 3
    assert clone(model).get_params() == {"n_neighbors": 5}
    assert model.predict_proba([[0.2]]).tolist() == [[2 / 3, 1 / 3]]
    check_estimator(FewLabelsKNeighborsClassifier())


def test_export_writes_the_labels(tmp_path, pool_csv, capsys):
    common = _session(tmp_path, pool_csv)
    out = tmp_path / "labels.csv"
    session = ["--session", str(tmp_path / "s.json")]
    assert main(["export", *session, "--output", str(out)]) == 0
    assert out.read_text() == "row,label\n0,setosa\n1,setosa\n50,versicolor\n"
    assert main(["export", *common, "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["row"], r["id"], r["label"]) for r in rows] == [
        ("0", "flower0", "setosa"), ("1", "flower1", "setosa"),
        ("50", "flower50", "versicolor"),
    ]  # fmt: skip
    assert "3 labels written" in capsys.readouterr().out


def test_predict_writes_classes_and_probabilities(tmp_path, pool_csv, capsys):
    common = _session(tmp_path, pool_csv, "--classes", "setosa,versicolor,virginica")
    X, _ = load_iris(return_X_y=True)
    new = tmp_path / "new.csv"
    with new.open("w", newline="") as f:  # columns in another order, an id
        writer = csv.writer(f)
        writer.writerow(["d", "c", "b", "a", "id"])
        writer.writerows([*x[::-1], f"n{i}"] for i, x in enumerate(X[[2, 100]]))
    out = tmp_path / "pred.csv"
    predict = ["predict", *common, "--input", str(new), "--output", str(out)]
    assert main(predict) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [  # a column per declared class
        "row", "id", "prediction", "proba_setosa", "proba_versicolor",
        "proba_virginica",
    ]  # fmt: skip
    assert [(r["row"], r["id"], r["prediction"]) for r in rows] == [
        ("0", "n0", "setosa"), ("1", "n1", "versicolor"),
    ]  # fmt: skip
    for r in rows:
        assert float(r["proba_setosa"]) + float(r["proba_versicolor"]) == (
            pytest.approx(1.0)
        )
        assert r["proba_virginica"] == "0.0"  # not labelled yet
    new.write_text("a,b,c,e\n1,2,3,4\n")
    assert main(predict) == 2
    assert "missing 'd'; not in the pool 'e'" in capsys.readouterr().err


def test_predict_needs_two_labelled_classes(tmp_path, pool_csv, capsys):
    session = ["--pool", str(pool_csv), "--session", str(tmp_path / "s.json")]
    assert main(["query", *session, "--batch-size", "2", "--id-column", "id",
                 "--output", str(tmp_path / "next.csv")]) == 0  # fmt: skip
    labels = tmp_path / "l.csv"
    labels.write_text("row,label\n0,setosa\n")
    assert main(["teach", *session, "--labels", str(labels)]) == 0
    new = tmp_path / "new.csv"
    new.write_text("id,a,b,c,d\nx,1,2,3,4\n")
    argv = ["predict", *session, "--input", str(new), "--output", str(labels)]
    assert main(argv) == 2
    assert "labels of 1 class (setosa): the model needs 2" in capsys.readouterr().err


REVIEWS = [
    ("great film, good plot", "pos"), ("awful and dull", "neg"),
    ("good acting, great fun", "pos"), ("dull plot, awful acting", "neg"),
    ("a great, good story", "pos"), ("awful, dull, long", "neg"),
] * 5  # fmt: skip


def _text_pool(tmp_path):
    path = tmp_path / "reviews.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "review", "stars"])
        writer.writerows([f"r{i}", text, i % 5] for i, (text, _) in enumerate(REVIEWS))
    return path


def test_a_text_column_is_read_by_a_text_model(tmp_path, capsys):
    pool = _text_pool(tmp_path)
    session = tmp_path / "s.json"
    common = ["--pool", str(pool), "--session", str(session)]
    to_label = tmp_path / "next.csv"
    assert main(["query", *common, "--id-column", "id", "--text-column", "review",
                 "--batch-size", "4", "--output", str(to_label)]) == 0  # fmt: skip
    settings = json.loads(Path(str(session) + ".cli.json").read_text())
    assert settings["text_column"] == "review"
    assert settings["model"] == "tfidf_logreg"
    rows = list(csv.DictReader(to_label.open()))
    assert list(rows[0]) == ["row", "id", "review", "stars", "label"]
    assert rows[0]["review"] == REVIEWS[int(rows[0]["row"])][0]  # the text itself
    labels = tmp_path / "l.csv"
    first = "".join(f"{i},{label}\n" for i, (_, label) in enumerate(REVIEWS[:6]))
    labels.write_text("row,label\n" + first)
    assert main(["teach", *common, "--labels", str(labels)]) == 0
    assert main(["query", *common, "--output", str(to_label)]) == 0  # the model
    new = tmp_path / "new.csv"
    new.write_text("review\ngreat good fun\nawful dull\n")
    out = tmp_path / "pred.csv"
    assert main(["predict", *common, "--input", str(new), "--output", str(out)]) == 0
    assert [r["prediction"] for r in csv.DictReader(out.open())] == ["pos", "neg"]
    capsys.readouterr()
    assert main(["status", *common]) == 0
    assert "model tfidf_logreg, batch size 4, text column review" in (
        capsys.readouterr().out
    )


def test_a_text_column_needs_the_flag_and_a_text_model(tmp_path, capsys):
    pool = _text_pool(tmp_path)
    session = tmp_path / "s.json"
    common = ["query", "--pool", str(pool), "--session", str(session),
              "--id-column", "id"]  # fmt: skip
    assert main(common) == 2
    err = capsys.readouterr().err
    assert "column 'review' holds 'great film, good plot' (row 0)" in err
    assert "give --text-column review" in err
    assert main([*common, "--text-column", "review", "--model", "logreg"]) == 2
    assert "--model tfidf_logreg" in capsys.readouterr().err
    assert main([*common, "--text-column", "nope"]) == 2
    assert "no column 'nope' (--text-column)" in capsys.readouterr().err
    assert not session.exists()


def test_a_new_session_checks_that_the_model_reads_the_pool(tmp_path, pool_csv,
                                                           capsys):  # fmt: skip
    lines = pool_csv.read_text().splitlines()
    lines[90] = lines[90].rsplit(",", 1)[0] + ",nan"  # a missing value
    pool_csv.write_text("\n".join(lines) + "\n")
    session = tmp_path / "s.json"
    common = ["query", "--pool", str(pool_csv), "--session", str(session),
              "--id-column", "id", "--batch-size", "2",
              "--output", str(tmp_path / "next.csv")]  # fmt: skip
    assert main(common) == 2
    err = capsys.readouterr().err
    assert "--model logreg with --strategy adaptive cannot read" in err
    assert "NaN" in err
    assert not session.exists() and not Path(str(session) + ".cli.json").exists()
    assert main([*common, "--model", "hgb"]) == 0  # takes missing values
    assert main([*common[:-2], "--model", "tfidf_logreg",
                 "--session", str(tmp_path / "t.json")]) == 2  # fmt: skip
    assert "reads a text column: name it with --text-column" in (
        capsys.readouterr().err
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_output_that_is_a_pipe_is_written_not_replaced(tmp_path):
    from skactive.cli._io import write_csv

    fifo = tmp_path / "out"
    os.mkfifo(fifo)
    read = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_text()), daemon=True)
    reader.start()
    write_csv(fifo, ["row", "label"], [[0, "a"]])  # as --output /dev/stdout
    reader.join(10)
    assert read == ["row,label\n0,a\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe


# ---------------------------------------------------------------- regression
def test_simulate_detects_a_regression_target(tmp_path, capsys):
    out = tmp_path / "out"
    status = main(
        [
            "simulate", "--dataset", "diabetes", "--strategies", "random,max_std,igs",
            "--initial-size", "10", "--batch-size", "10", "--budget", "30",
            "--repeats", "2", "--output", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    text = capsys.readouterr().out
    assert "a real-valued target (regression)" in text
    for column in ("area_rmse", "final_rmse", "labels_to_1.1x_rmse", "r2_gain"):
        assert column in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["task"] == "regression" and summary["model"] == "bayesian_ridge"
    assert 40 < summary["full_data_rmse"] < 70
    table = {row["strategy"]: row for row in summary["table"]}
    assert table["random"]["gain_over_random"] == ""
    assert float(table["max_std"]["gain_over_random"]) != 0
    rows = list(csv.DictReader((out / "curves.csv").open()))
    assert len(rows) == 3 * 2 * 4 and "rmse" in rows[0]
    assert (out / "learning_curves.png").stat().st_size > 10_000


def _table(path, labels):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "target"])
        rng = np.random.default_rng(0)
        writer.writerows([*rng.normal(size=2), label] for label in labels)


@pytest.mark.parametrize(
    "labels, task",
    [
        ([0.5 * i for i in range(60)], "regression"),  # a non-integer value
        (list(range(60)), "regression"),  # integers, more than 20 values
        ([i % 3 for i in range(60)], "classification"),  # 3 integer values
        (["x", "y"] * 30, "classification"),
    ],
)
def test_the_task_is_detected_from_the_label_column(labels, task):
    from skactive.cli._io import detect_task

    assert detect_task(np.array([str(v) for v in labels])) == task


def test_simulate_task_options(tmp_path, capsys):
    path = tmp_path / "data.csv"
    _table(path, [float(i % 3) for i in range(60)])  # integer-valued floats
    common = ["simulate", "--dataset", str(path), "--budget", "10",
              "--batch-size", "5", "--initial-size", "5", "--repeats", "1",
              "--output", str(tmp_path / "o")]  # fmt: skip
    assert main([*common, "--strategies", "random"]) == 0
    assert "3 classes" in capsys.readouterr().out
    assert main([*common, "--task", "regression", "--strategies", "random,gsx"]) == 0
    assert "regression" in capsys.readouterr().out
    # a regressor named makes it regression; a regression strategy needs one
    assert main([*common, "--model", "bayesian_ridge", "--strategies", "igs"]) == 0
    capsys.readouterr()
    assert main([*common, "--task", "regression", "--strategies", "margin"]) == 2
    assert "'margin' is a classification strategy" in capsys.readouterr().err
    assert main([*common, "--task", "classification", "--model", "gp"]) == 2
    assert "--model gp is a regressor, and --task is classification" in (
        capsys.readouterr().err
    )
    _table(path, ["a", "b", "c"] * 20)
    assert main([*common, "--task", "regression"]) == 2
    assert "regression needs numeric labels" in capsys.readouterr().err


def test_a_regression_session_on_the_command_line(tmp_path, capsys):
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    pool = tmp_path / "pool.csv"
    with pool.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", *(f"f{i}" for i in range(10))])
        writer.writerows([f"p{i}", *x] for i, x in enumerate(X))
    session, to_label = tmp_path / "s.json", tmp_path / "next.csv"
    common = ["--pool", str(pool), "--session", str(session)]
    assert main(["query", *common, "--id-column", "id", "--model", "bayesian_ridge",
                 "--batch-size", "5", "--output", str(to_label)]) == 0  # fmt: skip
    rows = list(csv.reader(to_label.open()))
    exact = {}
    for row in rows[1:]:
        exact[int(row[0])] = float(y[int(row[0])]) + 1 / 3  # many digits
        row[-1] = repr(exact[int(row[0])])
    with to_label.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    assert main(["teach", *common, "--labels", str(to_label)]) == 0
    saved = json.loads(session.read_text())
    assert dict(zip(saved["indices"], saved["labels"]["values"])) == exact
    settings = json.loads(session.with_name("s.json.cli.json").read_text())
    assert settings["strategy"] == "gsx"  # the regression default
    # the same number written otherwise is the same label
    first = next(iter(exact))
    same = tmp_path / "same.csv"
    same.write_text(f"row,label\n{first},{exact[first]:.20f}\n")
    assert main(["teach", *common, "--labels", str(same)]) == 0
    assert "0 new and 0 changed" in capsys.readouterr().out
    assert main(["status", "--session", str(session)]) == 0
    out = capsys.readouterr().out
    assert "real-valued labels" in out and "labels: 5 in [" in out
    assert main(["export", "--session", str(session), "--output",
                 str(tmp_path / "labels.csv")]) == 0  # fmt: skip
    exported = list(csv.DictReader((tmp_path / "labels.csv").open()))
    assert {int(r["row"]): float(r["label"]) for r in exported} == exact
    assert main(["predict", *common, "--input", str(pool), "--output",
                 str(tmp_path / "pred.csv")]) == 0  # fmt: skip
    predicted = list(csv.DictReader((tmp_path / "pred.csv").open()))
    assert len(predicted) == 442 and float(predicted[0]["std"]) > 0
    assert main(["query", *common, "--output", str(to_label)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"row,label\n{first},abc\n")
    assert main(["teach", *common, "--labels", str(bad)]) == 2
    assert "finite numbers" in capsys.readouterr().err
    bad.write_text(f"row,label\n{first},5\n")
    assert main(["teach", *common, "--labels", str(bad)]) == 2
    assert "already labelled" in capsys.readouterr().err
    other = ["--pool", str(pool), "--session", str(tmp_path / "t.json"),
             "--id-column", "id", "--model", "gp"]  # fmt: skip
    assert main(["query", *other, "--classes", "a,b"]) == 2
    assert "--classes is for classification" in capsys.readouterr().err
    assert main(["query", *other, "--strategy", "margin"]) == 2
    assert "'margin' is a classification strategy" in capsys.readouterr().err


def test_the_bandit_of_albl_survives_between_commands(tmp_path, pool_csv):
    # Each command is a new process in real use: the bandit's draws and
    # rewards live in the session file between `query` and `teach`.
    session, to_label = tmp_path / "s.json", tmp_path / "next.csv"
    common = ["--pool", str(pool_csv), "--session", str(session)]
    assert main(["query", *common, "--strategy", "albl", "--batch-size", "6",
                 "--id-column", "id",
                 "--seed", "0", "--output", str(to_label)]) == 0  # fmt: skip
    for _ in range(3):
        _fill_labels(to_label)
        assert main(["teach", *common, "--labels", str(to_label)]) == 0
        assert main(["query", *common, "--output", str(to_label)]) == 0
    state = json.loads(session.read_text())["strategy"]["state"]
    rows = [int(r["row"]) for r in csv.DictReader(to_label.open())]
    X, _ = load_iris(return_X_y=True)
    from skactive.strategies._adaptive import row_keys

    # the last query's draws await their labels; the two batches drawn by
    # fitted models were scored, and the first of them credited its experts
    assert state["pending"]["keys"] == list(row_keys(X[rows]))
    assert len(state["rewards"]) == 2
    assert any(w != 0 for w in state["log_weights"])

"""The validation helpers of skactive.utils: one check per idea."""

import numpy as np
import pytest

from skactive.utils import check_int, check_multiple_classes, check_real


@pytest.mark.parametrize(
    "value, kwargs, error, match",
    [
        (0, {}, ValueError, r"^n must be >= 1, got 0\.$"),
        (1, {"low": 2}, ValueError, r"^n must be >= 2, got 1\.$"),
        (-1, {"low": 0}, ValueError, r"^n must be >= 0, got -1\.$"),
        (2.0, {}, TypeError, r"^n must be a positive int, got 2\.0 of type float"),
        (True, {}, TypeError, "n must be a positive int, got True of type bool"),
        ("3", {"low": 0}, TypeError, "n must be a non-negative int"),
        (1.5, {"low": 2}, TypeError, "n must be an int >= 2"),
        (None, {}, TypeError, "n must be a positive int, got None"),
        (1.5, {"allow_none": True}, TypeError, "n must be None or a positive int"),
    ],
)
def test_check_int_errors_name_the_parameter(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_int(value, "n", **kwargs)


def test_check_int_returns_python_ints():
    out = check_int(np.int64(3), "n")
    assert out == 3 and type(out) is int
    assert check_int(0, "n", low=0) == 0
    assert check_int(None, "n", allow_none=True) is None


@pytest.mark.parametrize(
    "value, kwargs, error, match",
    [
        (-0.5, {"low": 0.0}, ValueError, r"x must be finite and >= 0\.0, got -0\.5"),
        (0.0, {"low": 0.0, "include_low": False}, ValueError, r"and > 0\.0"),
        (np.nan, {"low": 0.0}, ValueError, "x must be finite"),
        (np.inf, {"low": 0.0}, ValueError, "x must be finite"),
        (1.0, {"low": 0.0, "high": 1.0, "include_high": False}, ValueError,
         r"x must be finite and in \[0\.0, 1\.0\), got 1\.0"),
        (0.0, {"low": 0.0, "high": 1.0, "include_low": False}, ValueError,
         r"in \(0\.0, 1\.0\]"),
        (1.5, {"low": 0.0, "high": 1.0}, ValueError, r"in \[0\.0, 1\.0\]"),
        (True, {"low": 0.0}, TypeError, "x must be a real number, got True"),
        ("1", {"low": 0.0, "allow_none": True}, TypeError,
         "x must be None or a real number"),
    ],
)  # fmt: skip
def test_check_real_errors_name_the_parameter(value, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_real(value, "x", **kwargs)


def test_check_real_accepts_its_interval():
    assert check_real(1, "x", low=0.0, high=1.0) == 1.0
    assert check_real(np.float32(0.5), "x", low=0.0, high=1.0) == 0.5
    assert check_real(None, "x", low=0.0, allow_none=True) is None
    assert check_real(1e9, "x", low=0.0) == 1e9


def test_check_multiple_classes():
    check_multiple_classes(np.array([0, 1]))
    with pytest.raises(ValueError, match=r"y contains only one class \('a'\)"):
        check_multiple_classes(np.array(["a"]))
    with pytest.raises(ValueError, match="y contains no class"):
        check_multiple_classes(np.array([]))


@pytest.mark.parametrize(
    "n_jobs, error, match",
    [
        ("2", TypeError, "n_jobs must be an int or None .* got '2' of type str"),
        (1.5, TypeError, "n_jobs must be an int or None"),
        (True, TypeError, "n_jobs must be an int or None"),
        (0, ValueError, "n_jobs must be None or a nonzero int"),
    ],
)
def test_a_bad_n_jobs_is_named_at_query(n_jobs, error, match):
    # Issue 19, item 5: n_jobs="2" failed inside joblib with "'<' not
    # supported between instances of 'str' and 'int'".
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    from skactive import MarginSampling

    X, y = load_iris(return_X_y=True)
    strategy = MarginSampling(LogisticRegression(), n_jobs=n_jobs, batch_size=3)
    strategy.fit(X[::5], y[::5])
    with pytest.raises(error, match=match):
        strategy.query(X)
    assert strategy.set_params(n_jobs=-1).query(X).shape == (3,)

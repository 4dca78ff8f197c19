"""Raw samples (texts, DataFrames with text and category columns) reach the
estimator as they are: the pipeline vectorises them, the engine only slices
rows (issue 15, item 1)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skactive import (
    BADGE,
    ActiveLearner,
    Committee,
    CoreSet,
    DiverseMiniBatch,
    InformationDensity,
    MarginSampling,
    QueryByCommittee,
    RankedBatch,
    TypiClust,
    cold_start,
    simulate,
)
from skactive.measures import margin
from skactive.utils._validation import is_raw_input

WORDS = np.array(["good", "bad", "great", "awful", "nice", "dull", "plot", "film"])


@pytest.fixture(scope="module")
def texts():
    rng = np.random.RandomState(0)
    y = rng.randint(2, size=300)
    docs = [
        " ".join(rng.choice(WORDS[(0 if c else 1) : 6 : 2], 2))
        + " "
        + " ".join(rng.choice(WORDS[rng.randint(6) :], 3))
        for c in y
    ]
    return docs, y


def _text_model():
    return make_pipeline(TfidfVectorizer(), LogisticRegression())


def test_raw_input_detection():
    assert is_raw_input(["a text", "another"])
    assert is_raw_input(np.array(["a", "b"]))
    assert is_raw_input(np.array(["a", "b"], dtype=object))
    assert is_raw_input(pd.DataFrame({"t": ["a", "b"], "x": [1.0, 2.0]}))
    assert not is_raw_input(np.ones((3, 2)))
    assert not is_raw_input(np.ones((3, 2), dtype=object))  # numbers
    assert not is_raw_input(pd.DataFrame({"x": [1.0, 2.0]}))
    assert not is_raw_input([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("form", [list, lambda t: np.array(t, dtype=object)])
def test_margin_on_raw_texts_equals_the_brute_force(texts, form):
    docs, y = texts
    X = form(docs)
    strategy = MarginSampling(_text_model(), batch_size=5, random_state=0)
    strategy.fit(X[:30], y[:30])
    u = margin(strategy.estimator_.predict_proba(X))
    idx = strategy.query(X)
    assert set(u[idx]) == set(np.sort(u)[::-1][:5])  # the 5 best utilities
    rows = np.arange(100, 300)
    sub = strategy.query(X, candidates=rows)
    assert set(sub) <= set(rows)
    assert set(u[sub]) == set(np.sort(u[rows])[::-1][:5])
    for chunk_size in (7, 1000):
        strategy.set_params(chunk_size=chunk_size, n_jobs=2)
        np.testing.assert_array_equal(strategy.query(X), idx)
    assert strategy.score(X, y) > 0.8


@pytest.mark.parametrize(
    "strategy",
    [
        BADGE(_text_model()),
        CoreSet(_text_model()),
        TypiClust(_text_model()),
        DiverseMiniBatch(_text_model()),
        InformationDensity(_text_model()),
        RankedBatch(_text_model()),
        QueryByCommittee(Committee(estimator=_text_model(), n_members=3)),
    ],
    ids=lambda s: type(s).__name__,
)
def test_every_family_queries_raw_texts(texts, strategy):
    docs, y = texts
    strategy.set_params(batch_size=5, random_state=0).fit(docs[:30], y[:30])
    idx = strategy.query(docs)
    assert len(set(idx)) == 5 and idx.min() >= 0 and idx.max() < len(docs)
    strategy.set_params(chunk_size=13)
    np.testing.assert_array_equal(strategy.query(docs), idx)


def test_a_raw_embedding_of_texts_is_a_clear_error(texts):
    docs, y = texts
    with pytest.raises(ValueError, match='embedding="raw" needs numeric features'):
        CoreSet(_text_model(), embedding="raw").fit(docs[:30], y[:30])


def test_dataframe_with_text_category_and_number_columns(texts):
    docs, y = texts
    df = pd.DataFrame(
        {"review": docs, "genre": np.array(["a", "b", "c"])[np.arange(300) % 3]}
    )
    df["length"] = df["review"].str.len().astype(float)
    model = make_pipeline(
        make_column_transformer(
            (TfidfVectorizer(), "review"),
            (OneHotEncoder(), ["genre"]),
            (StandardScaler(), ["length"]),
        ),
        LogisticRegression(),
    )
    strategy = MarginSampling(model, batch_size=4, random_state=0).fit(df[:30], y[:30])
    u = margin(strategy.estimator_.predict_proba(df))
    idx = strategy.query(df, candidates=np.arange(30, 300))
    assert set(u[idx]) == set(np.sort(u[30:])[::-1][:4])
    with pytest.raises(ValueError, match="genre"):  # the columns are checked
        strategy.query(df.drop(columns="genre"))


def test_a_labelling_session_and_a_simulation_on_texts(texts):
    docs, y = texts
    learner = ActiveLearner(MarginSampling(_text_model(), batch_size=5), docs)
    learner.teach(np.arange(10), y[:10])
    for _ in range(3):
        idx = learner.query()
        learner.teach(idx, y[idx])
    assert learner.n_labelled == 25
    result = simulate(
        MarginSampling(_text_model(), batch_size=10), docs, y, budget=40, random_state=0
    )
    assert result.history["n_labels"][-1] > result.history["n_labels"][0]


@pytest.mark.parametrize("method", ["typiclust", "kmeans", "random"])
def test_cold_start_on_texts_through_an_embedding(texts, method):
    # cold_start validated X as numbers before applying the embedding, so a
    # vectorizer's transform could not read texts (nor a sparse matrix).
    docs, _ = texts
    vectorizer = TfidfVectorizer().fit(docs)
    picks = cold_start(
        docs, 4, method=method, embedding=vectorizer.transform, random_state=0
    )
    dense = cold_start(
        docs,
        4,
        method=method,
        embedding=lambda X: vectorizer.transform(X).toarray(),
        random_state=0,
    )
    assert picks.shape == (4,) and len(set(picks.tolist())) == 4
    np.testing.assert_array_equal(picks, dense)
    with pytest.raises(ValueError, match="cold_start clusters numbers"):
        cold_start(docs, 4, method=method, random_state=0)

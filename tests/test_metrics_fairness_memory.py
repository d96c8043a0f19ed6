"""Fairness on data in memory: counted with numpy (`aims.metrics._groups`), exactly as DuckDB.

Every comparison runs the same call twice: once as the engine does (data in memory counted by
`_groups.group_rows`, which a spy checks did count), once with that counter switched off, so
DuckDB's ``GROUP BY`` counts. Statistics and error messages must be identical, for every kind
of input and of column, including NULL and NaN groups.
"""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import (
    ConfusionCounts,
    FairnessStatistics,
    InputError,
    Source,
    _groups,
    fairness_statistics,
)
from aims.metrics import io as metrics_io

RNG = np.random.default_rng(7)
N = 3 * _groups._BLOCK + 17  # several blocks of the blocked bincount, and a partial one
Y = RNG.integers(0, 2, N)
P = RNG.integers(0, 2, N)
TEXT = RNG.choice(["Female", "Male", "Non-binary"], N)
SOME_MISSING = RNG.random(N) < 0.1


def _outcome(data, **kwargs):
    """The statistics, or the message of the `InputError`."""
    try:
        return fairness_statistics(data, **kwargs)
    except InputError as error:
        return f"InputError: {error}"


def both_paths(monkeypatch, data, *, in_memory=True, **kwargs):
    """The outcome through the in-memory counter and through DuckDB, which must be equal.

    ``in_memory`` says whether the in-memory counter must have counted (True), handed the
    count to DuckDB (False), or not been asked because the input was refused before any
    count (None); either way the outcome must not change. ``data`` may be a function that
    makes the data (a record batch reader can be read only once).
    """
    make = data if callable(data) else lambda: data
    kwargs.setdefault("label", "y")
    kwargs.setdefault("sensitive", "g")
    if "score" not in kwargs:
        kwargs.setdefault("prediction", "p")
    counted = []
    real = _groups.group_rows

    def spy(*args):
        rows = real(*args)
        counted.append(rows is not None)
        return rows

    monkeypatch.setattr(_groups, "group_rows", spy)
    fast = _outcome(make(), **kwargs)
    monkeypatch.setattr(_groups, "group_rows", lambda *args: None)
    through_duckdb = _outcome(make(), **kwargs)
    monkeypatch.setattr(_groups, "group_rows", real)
    assert counted == ([] if in_memory is None else [in_memory]), "not counted as expected"
    assert fast == through_duckdb
    return fast


def _kinds(columns):
    """The same columns as every kind of in-memory input."""
    pd = pytest.importorskip("pandas")
    kinds = {
        "dict of numpy": dict(columns),
        "arrow table": pa.table(columns),
        "record batch": pa.record_batch(columns),
        "pandas": pd.DataFrame(columns),
    }
    try:
        import polars as pl
    except ImportError:
        pass
    else:
        kinds["polars"] = pl.DataFrame(columns)
    return kinds


GROUPS = {
    "text": TEXT,  # a dict of numpy arrays dictionary-encodes it on the way in
    "text, many values": np.array([f"user-{i % 700}" for i in range(N)]),  # stays plain text
    "text with None": np.where(SOME_MISSING, None, TEXT).astype(object),
    "int": RNG.integers(-2, 3, N),
    "int8": RNG.integers(0, 4, N).astype(np.int8),
    "uint64": RNG.integers(0, 3, N).astype(np.uint64),
    "wide ints": RNG.choice([-(10**12), 0, 10**12], N),
    "bool": RNG.integers(0, 2, N).astype(bool),
    "float with NaN": RNG.choice([0.5, 1.5, np.nan], N),
    "whole floats with NaN": RNG.choice([1.0, 2.0, np.nan], N),
    "infinities": RNG.choice([-np.inf, np.inf, 3.0], N),
}


@pytest.mark.parametrize("group", GROUPS, ids=str)
def test_every_input_kind_counts_in_memory_as_duckdb_does(monkeypatch, group):
    for kind, data in _kinds({"y": Y, "p": P, "g": GROUPS[group]}).items():
        stats = both_paths(monkeypatch, data)
        assert isinstance(stats, FairnessStatistics), (kind, stats)
        assert stats.overall().n == N, kind


def test_text_hashed_in_slices_on_several_cores_counts_alike(monkeypatch):
    monkeypatch.setattr(metrics_io, "_MIN_SLICE", 10_000)
    monkeypatch.setattr(metrics_io, "_cores", lambda: 3)
    many = np.array([f"user-{i % 700}" for i in range(N)])  # plain text, hashed when counted
    for group in (TEXT, many, np.where(SOME_MISSING, None, TEXT)):
        for data in _kinds({"y": Y, "p": P, "g": group}).values():
            assert both_paths(monkeypatch, data).overall().n == N


def test_missing_groups_are_their_own_group_whichever_the_input(monkeypatch):
    pd = pytest.importorskip("pandas")
    floats = RNG.choice([1.0, 2.0], N)
    floats[SOME_MISSING] = np.nan
    # Arrow and numpy keep NaN a value (a group named "nan"); pandas means NULL by it, and so
    # does DuckDB's pandas scan: the group is missing. Both paths agree either way.
    arrow = both_paths(monkeypatch, pa.table({"y": Y, "p": P, "g": floats}))
    assert arrow.groups == ((1.0,), (2.0,), ("nan",))
    frame = both_paths(monkeypatch, pd.DataFrame({"y": Y, "p": P, "g": floats}))
    assert frame.groups == ((1.0,), (2.0,), (None,))
    nulls = pa.array(np.where(SOME_MISSING, None, TEXT).tolist())
    text = both_paths(monkeypatch, pa.table({"y": Y, "p": P, "g": nulls}))
    assert text.groups == (("Female",), ("Male",), ("Non-binary",), (None,))
    assert text.counts[-1].n == SOME_MISSING.sum()


def test_two_sensitive_features_combine_into_the_same_groups(monkeypatch):
    race = RNG.choice(["a", "b", "c", "d"], N)
    columns = {"y": Y, "p": P, "sex": np.where(SOME_MISSING, None, TEXT), "race": race}
    for data in _kinds(columns).values():
        stats = both_paths(monkeypatch, data, sensitive=["sex", "race"])
        assert len(stats.groups) == 4 * 4
        stats = both_paths(monkeypatch, data, sensitive=["race", "sex"])
        assert stats.groups[0] == ("a", "Female")


PANDAS_GROUPS = {
    "categorical": lambda pd: pd.Categorical(
        TEXT, categories=["Male", "Female", "Non-binary", "x"]
    ),
    "categorical with NaN": lambda pd: pd.Categorical(np.where(SOME_MISSING, None, TEXT)),
    "categorical of numbers": lambda pd: pd.Categorical(RNG.integers(0, 3, N)),
    "categorical of numbers with NaN": lambda pd: pd.Categorical(
        np.where(SOME_MISSING, np.nan, RNG.integers(0, 3, N))
    ),
    "Int64 with NA": lambda pd: pd.array(
        [None if m else int(v) for m, v in zip(SOME_MISSING, RNG.integers(0, 3, N), strict=True)],
        dtype="Int64",
    ),
    "boolean with NA": lambda pd: pd.array(
        [None if m else bool(v) for m, v in zip(SOME_MISSING, Y, strict=True)], dtype="boolean"
    ),
    "Float64": lambda pd: pd.array(RNG.choice([0.5, 1.0], N), dtype="Float64"),
    "string with NA": lambda pd: pd.Series(np.where(SOME_MISSING, None, TEXT), dtype="string"),
    "object with NaN": lambda pd: pd.Series(
        np.where(SOME_MISSING, np.nan, TEXT.astype(object)), dtype=object
    ),
    "object with None and NaN": lambda pd: pd.Series(
        [
            None if i % 7 == 0 else np.nan if m else t
            for i, (m, t) in enumerate(zip(SOME_MISSING, TEXT, strict=True))
        ],
        dtype=object,
    ),
    "float32 with NaN": lambda pd: np.where(SOME_MISSING, np.nan, Y).astype(np.float32),
}


@pytest.mark.parametrize("dtype", PANDAS_GROUPS, ids=str)
def test_pandas_columns_count_in_memory_as_duckdb_reads_them(monkeypatch, dtype):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"y": Y, "p": P, "g": PANDAS_GROUPS[dtype](pd)})
    stats = both_paths(monkeypatch, frame)
    assert stats.overall().n == N


def test_an_object_column_of_anything_but_text_is_left_to_duckdb(monkeypatch):
    """pandas ``object`` text is counted in memory; numbers or a mix are not text, and DuckDB
    reads them as it always has."""
    pd = pytest.importorskip("pandas")
    numbers = pd.Series(RNG.integers(0, 3, N).astype(object))
    mixed = pd.Series(np.where(SOME_MISSING, 1, TEXT.astype(object)), dtype=object)
    for column in (numbers, mixed):
        both_paths(monkeypatch, pd.DataFrame({"y": Y, "p": P, "g": column}), in_memory=False)


def test_polars_categoricals_count_in_memory(monkeypatch):
    pl = pytest.importorskip("polars")
    with_nulls = np.where(SOME_MISSING, None, TEXT)
    for dtype in (pl.Categorical, pl.Enum(["Non-binary", "Male", "Female"])):
        frame = pl.DataFrame({"y": Y, "p": P, "g": pl.Series(with_nulls, dtype=dtype)})
        stats = both_paths(monkeypatch, frame)
        assert stats.groups[-1] == (None,)


def test_a_categorical_counts_by_its_codes_and_leaves_out_unused_categories(monkeypatch):
    pd = pytest.importorskip("pandas")
    g = pd.Categorical(["b", "a", "b", None], categories=["b", "a", "unused"])
    frame = pd.DataFrame({"y": [1, 0, 1, 1], "p": [1, 1, 0, 1], "g": g})
    stats = both_paths(monkeypatch, frame)
    assert stats.groups == (("a",), ("b",), (None,))
    assert stats.counts == (
        ConfusionCounts(0, 1, 0, 0),
        ConfusionCounts(1, 0, 0, 1),
        ConfusionCounts(1, 0, 0, 0),
    )


def test_labels_and_predictions_of_every_type_count_alike(monkeypatch):
    yes_no = {"y": np.where(Y == 1, "yes", "no"), "p": np.where(P == 1, "yes", "no"), "g": TEXT}
    for data in _kinds(yes_no).values():
        both_paths(monkeypatch, data, positive_label="yes")
    for y, p in (
        (Y.astype(bool), P.astype(bool)),
        (Y.astype(float), P.astype(np.float32)),
        (Y.astype(np.uint8), P.astype(np.int16)),
        (Y + 1, P + 1),
    ):
        for data in _kinds({"y": y, "p": p, "g": TEXT}).values():
            both_paths(monkeypatch, data, positive_label=2 if y.max() == 2 else None)


def test_scores_are_compared_with_the_threshold_in_double_precision(monkeypatch):
    # float32(0.7) lies just under the double 0.7: DuckDB compares the FLOAT column as DOUBLE
    # (not positive), where a float32 comparison would round the threshold to it (positive).
    near = np.float32(0.7)
    above = np.nextafter(near, np.float32(1))
    score = np.array([near, above, 0.9, 0.1] * 5, dtype=np.float32)
    data = {"y": [1, 1, 0, 0] * 5, "s": score, "g": ["a"] * 20}
    stats = both_paths(monkeypatch, data, score="s", threshold=0.7)
    assert stats.counts == (ConfusionCounts(tp=5, fp=5, tn=5, fn=5),)
    scores = RNG.random(N)
    for s in (scores, (scores * 10).astype(np.int64), (scores * 10).astype(np.uint64)):
        for data in _kinds({"y": Y, "s": s, "g": TEXT}).values():
            both_paths(monkeypatch, data, score="s", threshold=0.5)


def test_chunked_arrow_columns_with_different_dictionaries_count_alike(monkeypatch):
    half = N // 2
    batches = [
        pa.record_batch(
            {"y": Y[:half], "p": P[:half], "g": pa.array(TEXT[:half]).dictionary_encode()}
        ),
        pa.record_batch(
            {"y": Y[half:], "p": P[half:], "g": pa.array(TEXT[half:][::-1]).dictionary_encode()}
        ),
    ]
    both_paths(monkeypatch, pa.Table.from_batches(batches))
    text = [
        pa.record_batch({"y": Y[:half], "p": P[:half], "g": TEXT[:half]}),
        pa.record_batch({"y": Y[half:], "p": P[half:], "g": TEXT[half:]}),
    ]
    both_paths(monkeypatch, pa.Table.from_batches(text))


def test_the_in_memory_count_runs_no_query(monkeypatch):
    def no_group_by(self, sql, parameters=None):
        assert "GROUP BY" not in sql, "DuckDB counted although the data are in memory"
        return real(self, sql, parameters)

    real = Source.fetchall
    monkeypatch.setattr(Source, "fetchall", no_group_by)
    for data in _kinds({"y": Y, "p": P, "g": TEXT}).values():
        stats = fairness_statistics(data, label="y", prediction="p", sensitive="g")
        assert stats.overall().n == N


def test_what_memory_cannot_count_exactly_goes_to_duckdb(monkeypatch, tmp_path):
    pq.write_table(pa.table({"y": Y, "p": P, "g": TEXT}), tmp_path / "log.parquet")
    dates = np.array(["2024-01-01", "2024-06-01"], dtype="datetime64[D]")[Y]
    negative_zero = RNG.choice([-0.0, 0.0, 1.0], N)  # DuckDB merges -0.0 with 0.0
    for data in (
        str(tmp_path / "log.parquet"),
        pa.table({"y": Y, "p": P, "g": TEXT}).to_reader,
        {"y": Y, "p": P, "g": dates},
        {"y": Y, "p": P, "g": negative_zero},
        # DuckDB tells "G" from "g" only by renaming one of them: the names decide, not memory
        pa.table({"y": Y, "p": P, "g": TEXT, "G": TEXT}),
    ):
        assert both_paths(monkeypatch, data, in_memory=False).overall().n == N
    # more combinations than one bincount counts
    ids = np.arange(N)
    both_paths(
        monkeypatch,
        {"y": Y, "p": P, "a": ids % 997, "b": ids % 991, "c": ids % 983},
        sensitive=["a", "b", "c"],
        max_categories=N,
        in_memory=False,
    )


def test_sparse_codes_are_compacted_before_counting(monkeypatch):
    ids = np.arange(N)
    data = {"y": Y, "p": P, "a": ids % 3000, "b": (ids % 7) * 50_000}
    stats = both_paths(monkeypatch, data, sensitive=["a", "b"], max_categories=N)
    assert len(stats.groups) == 3000 * 7


ERRORS = {
    "three label values": ({"y": np.arange(N) % 3}, {}, "label column 'y' has 3 distinct values"),
    "two values other than 0 and 1": ({"y": Y + 1, "p": P + 1}, {}, "positive_label="),
    "text labels without positive_label": (
        {"y": np.where(Y == 1, "yes", "no")},
        {},
        "holds text values",
    ),
    "a positive label that never occurs": ({}, {"positive_label": 5}, "does not occur"),
    "NaN labels": ({"y": np.where(SOME_MISSING, np.nan, Y)}, {}, "missing values"),
    "missing predictions": (
        {"p": pa.array(np.where(SOME_MISSING, None, P).tolist())},
        {},
        "prediction column 'p' has",
    ),
    "scores as predictions": ({"p": RNG.random(N)}, {}, "pass score='p'"),
    "NaN scores": (
        {"s": np.where(SOME_MISSING, np.nan, 0.5)},
        {"prediction": None, "score": "s"},
        "prediction column 's' has",
    ),
    "predictions in other values than the label": ({"p": P + 7}, {}, "expected the same two"),
    "too many groups": ({"g": np.arange(N) % 1500}, {}, "sensitive feature 'g' has 1,500"),
    "no rows": (
        {"y": Y[:0], "p": P[:0], "g": TEXT[:0]},
        {},
        "the data has no rows",
    ),
}


@pytest.mark.parametrize("case", ERRORS, ids=str)
def test_errors_are_the_same_word_for_word(monkeypatch, case):
    columns, options, message = ERRORS[case]
    data = {"y": Y, "p": P, "g": TEXT, **columns}
    if "p" in data and isinstance(data["p"], pa.Array):
        data = pa.table(data)
    # Text labels are refused before any count; empty data are left to the query to refuse.
    counts = {"text labels without positive_label": None, "no rows": False}.get(case, True)
    outcome = both_paths(monkeypatch, data, in_memory=counts, **options)
    assert isinstance(outcome, str) and message in outcome, outcome


def _shared(texts, codes):
    """An object array holding one object per text, referenced from every row (as
    ``read_csv`` or ``take`` from a short list make them)."""
    return np.array(texts, dtype=object)[codes]


def test_object_text_sharing_few_objects_is_encoded_by_them(monkeypatch):
    """Encoded by reference, the column counts as converting its values would: equal strings
    held by different objects are one group; None, NaN and pd.NA are the missing group."""
    pd = pytest.importorskip("pandas")
    twin = "".join(["Fe", "male"])  # equal to "Female", another object
    assert twin == "Female" and twin is not "Female"  # noqa: F632
    texts = ["Female", "Male", twin, None, np.nan, pd.NA, "Non-binary"]
    column = _shared(texts, RNG.integers(0, len(texts), N))
    encoded = metrics_io.open_source(
        pd.DataFrame({"y": Y, "p": P, "g": pd.Series(column, dtype=object)})
    ).memory_column("g")
    assert isinstance(encoded, pa.DictionaryArray)
    by_value = pa.array(pd.Series(column, dtype=object)).dictionary_encode()
    assert encoded.dictionary.to_pylist() == by_value.dictionary.to_pylist()
    assert encoded.to_pylist() == by_value.to_pylist()
    stats = both_paths(
        monkeypatch, pd.DataFrame({"y": Y, "p": P, "g": pd.Series(column, dtype=object)})
    )
    assert set(stats.groups) == {("Female",), ("Male",), ("Non-binary",), (None,)}
    female = sum(1 for t in column if isinstance(t, str) and t == "Female")
    assert stats.counts[stats.groups.index(("Female",))].n == female


def test_object_columns_the_references_cannot_encode_are_converted_by_value(monkeypatch):
    """One object per row, too many objects, a short column or an object that is not text:
    the column is converted by value (or left to DuckDB) and counts the same."""
    pd = pytest.importorskip("pandas")
    many = _shared([f"g{i}" for i in range(300)], np.arange(N) % 300)
    not_text = _shared(["a", b"b", "c"], RNG.integers(0, 3, N))
    cases = {
        "one object per row": (TEXT.astype(object), True),
        "many objects": (many, True),
        "bytes among the text": (not_text, False),
    }
    for name, (column, counted) in cases.items():
        source = metrics_io.open_source(
            pd.DataFrame({"y": Y, "p": P, "g": pd.Series(column, dtype=object)})
        )
        got = source.memory_column("g")
        assert got is None or not pa.types.is_dictionary(got.type), name
        both_paths(
            monkeypatch,
            pd.DataFrame({"y": Y, "p": P, "g": pd.Series(column, dtype=object)}),
            in_memory=counted,
        )
    short = _shared(["a", "b"], RNG.integers(0, 2, 1000))
    source = metrics_io.open_source(pd.DataFrame({"g": pd.Series(short, dtype=object)}))
    assert pa.types.is_string(source.memory_column("g").type)

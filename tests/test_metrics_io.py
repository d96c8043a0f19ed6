"""The shared input layer: every kind of source opens as a DuckDB view; bad input is named."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import InputError, open_source
from aims.metrics import io as metrics_io

DATA = {"y": [0, 1, 1], "group": ["a", "b", "a"]}


def _rows(source):
    return source.fetchall(f"SELECT * FROM {source.relation} ORDER BY ALL")


def test_every_in_memory_kind_opens_with_the_same_rows_and_types():
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    table = pa.table(DATA)
    for data in (
        DATA,
        {"y": np.array(DATA["y"]), "group": np.array(DATA["group"])},
        table,
        table.to_batches()[0],
        table.to_reader(),
        pd.DataFrame(DATA),
        pl.DataFrame(DATA),
        np.array(list(zip(*DATA.values(), strict=True)), dtype=[("y", "i8"), ("group", "U1")]),
    ):
        source = open_source(data)
        assert source.columns == {"y": "BIGINT", "group": "VARCHAR"}, type(data)
        assert source.label == "data"
        assert _rows(source) == [(0, "a"), (1, "a"), (1, "b")]
        assert source.row_count() == 3


def test_a_numpy_array_without_field_names_is_refused_with_what_to_pass():
    with pytest.raises(InputError, match=r"shape \(3, 2\) has no column names; pass a structured"):
        open_source(np.zeros((3, 2)))


def test_a_record_batch_reader_can_be_scanned_twice():
    source = open_source(pa.table(DATA).to_reader())
    assert source.row_count() == source.row_count() == 3


def test_files_globs_and_folders_open_by_name(tmp_path):
    pq.write_table(pa.table(DATA), tmp_path / "part-1.parquet")
    pq.write_table(pa.table(DATA), tmp_path / "part-2.parquet")
    (tmp_path / "log.csv").write_text("y,group\n0,a\n1,b\n")
    single = open_source(tmp_path / "part-1.parquet")
    assert single.label == "part-1.parquet"
    assert single.row_count() == 3
    assert open_source(str(tmp_path / "part-*.parquet")).row_count() == 6
    assert open_source(tmp_path).row_count() == 6
    csv = open_source(str(tmp_path / "log.csv"))
    assert csv.columns == {"y": "BIGINT", "group": "VARCHAR"}
    assert csv.label == "log.csv"


def test_two_sources_can_share_a_connection():
    first = open_source(DATA)
    second = open_source({"y": [5]}, con=first.con)
    assert first.relation != second.relation
    assert first.con.execute(
        f"SELECT (SELECT count(*) FROM {first.relation}) + (SELECT count(*) FROM {second.relation})"
    ).fetchone() == (4,)


def test_odd_column_names_are_quoted_safely():
    name = 'hours "per" week'
    source = open_source({name: [1, 2]})
    column = source.quote(name)
    assert source.fetchone(f"SELECT sum({column}) FROM {source.relation}") == (3,)


def test_require_names_each_missing_column_with_close_matches():
    source = open_source({"label": [1], "score": [0.5]}, name="preds")
    source.require("label", "score")
    with pytest.raises(InputError) as caught:
        source.require("lable", "Score", "zzz")
    message = str(caught.value)
    assert message.startswith("preds: column 'lable' not found (did you mean 'label'?)")
    assert "column 'Score' not found (did you mean 'score'?)" in message
    assert "column 'zzz' not found; available columns: 'label', 'score'" in message


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "broken.parquet",
            b"PAR1 not parquet at all",
            "broken.parquet: not a readable Parquet file",
        ),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("notes.xlsx", b"x", "notes.xlsx: unknown file type"),
    ],
)
def test_unreadable_files_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_source(path)


def test_missing_files_and_empty_globs_are_named(tmp_path):
    with pytest.raises(InputError, match=r"log.parquet: file not found"):
        open_source(tmp_path / "log.parquet")
    with pytest.raises(InputError, match=r"no file matches this pattern"):
        open_source(str(tmp_path / "*.parquet"))


def test_a_parquet_file_truncated_in_its_data_is_an_input_error(tmp_path):
    path = tmp_path / "cut.parquet"
    pq.write_table(pa.table({"y": np.arange(100_000)}), path, row_group_size=10_000)
    raw = path.read_bytes()
    # keep the footer (so the schema reads) but wreck the first data pages
    path.write_bytes(raw[:4] + b"\x00" * 2000 + raw[2004:])
    source = open_source(path)
    with pytest.raises(InputError, match="cut.parquet: cannot read the data"):
        source.fetchall(f"SELECT sum(y) FROM {source.relation}")
    with pytest.raises(InputError, match="cut.parquet: cannot read column 'y'"):
        source.numeric_column("y")


def test_unequal_columns_and_unsupported_objects_are_refused():
    with pytest.raises(
        InputError, match=r"data: columns have different lengths \('a': 2, 'b': 1\)"
    ):
        open_source({"a": [1, 2], "b": [1]})
    with pytest.raises(InputError, match="column 'a' must be one-dimensional"):
        open_source({"a": np.zeros((2, 2))})
    with pytest.raises(InputError, match="unsupported input of type int"):
        open_source(5)
    with pytest.raises(InputError, match="the data has no columns"):
        open_source({})


NUMBERS = pa.table(
    {
        "i": pa.array([3, None, 1, 7], type=pa.int32()),
        "u": pa.array([2**40, 5, None, 0], type=pa.uint64()),
        "f": pa.array([0.5, float("nan"), None, -2.25]),
        "d": pa.array([None, 1, 2, 3], type=pa.int8()).cast(pa.decimal128(9, 2)),
    }
)


def test_numeric_columns_read_the_same_from_parquet_files_as_through_duckdb(tmp_path):
    folder = tmp_path / "log"
    folder.mkdir()
    pq.write_table(NUMBERS.slice(0, 2), folder / "part-0.parquet")
    pq.write_table(NUMBERS.slice(2), folder / "part-1.parquet")
    single = tmp_path / "numbers.parquet"
    pq.write_table(NUMBERS, single)
    through_duckdb = open_source(NUMBERS)
    assert through_duckdb.parquet_files == ()
    for data in (single, folder, str(folder / "*.parquet")):
        direct = open_source(data)
        assert direct.parquet_files  # read with pyarrow, not a query
        for column in NUMBERS.column_names:
            got = direct.numeric_column(column)
            expected = through_duckdb.numeric_column(column)
            assert got.dtype == np.float64
            np.testing.assert_array_equal(got, expected)  # NULLs dropped, NaN kept
    assert open_source(single).numeric_column("u").tolist() == [2.0**40, 5.0, 0.0]
    assert open_source(single).numeric_column("d").tolist() == [1.0, 2.0, 3.0]


def test_a_parquet_column_that_cannot_be_read_is_named(tmp_path):
    pq.write_table(pa.table({"x": [1.0, 2.0]}), tmp_path / "a.parquet")
    pq.write_table(pa.table({"y": [1.0, 2.0]}), tmp_path / "b.parquet")
    source = open_source(str(tmp_path / "*.parquet"))  # the schema comes from the first file
    with pytest.raises(
        InputError, match=r"\*.parquet: cannot read column 'x': b.parquet has no such column"
    ):
        source.numeric_column("x")


def test_numpy_text_with_few_values_is_dictionary_encoded_and_reads_the_same():
    rng = np.random.default_rng(3)
    few = rng.choice(["Female", "Male", "", "日本", "😀"], 50_000)
    many = np.array([f"id-{i}" for i in range(50_000)])
    source = open_source({"few": few, "many": many})
    assert source.columns == {"few": "VARCHAR", "many": "VARCHAR"}
    table = source.memory
    assert pa.types.is_dictionary(table.column("few").type)  # codes, read as is by counts
    assert len(table.column("few").chunk(0).dictionary) == 5
    assert table.column("many").type == pa.string()  # identifiers: converted string by string
    expected = pa.table({"few": pa.array(few), "many": pa.array(many)})
    got = source.fetch_arrow(f"SELECT * FROM {source.relation}")
    assert got.equals(expected)


def test_numpy_text_that_arrow_cannot_convert_is_refused_as_before():
    lone_surrogate = np.array(["a", "\ud800"] * 100)
    with pytest.raises(UnicodeDecodeError) as direct:
        pa.array(lone_surrogate)
    with pytest.raises(InputError) as caught:
        open_source({"g": lone_surrogate})
    assert str(caught.value) == f"data: column 'g' cannot be converted: {direct.value}"


def test_memory_columns_are_read_in_place_or_not_at_all(tmp_path):
    pd = pytest.importorskip("pandas")
    table = pa.table(DATA)
    source = open_source(table)
    assert source.memory is table  # the very table the view scans
    assert source.memory_column("group").equals(table.column("group"))
    frame = open_source(pd.DataFrame({"y": [1.0, np.nan], 7: ["a", None]}))
    assert frame.memory_column("y").to_pylist() == [1.0, None]  # NaN is NULL, as DuckDB reads it
    assert frame.memory_column("7").to_pylist() == ["a", None]
    assert frame.memory_column("nope") is None
    pq.write_table(table, tmp_path / "log.parquet")
    assert open_source(tmp_path / "log.parquet").memory_column("y") is None  # a file: query it
    assert open_source(table.to_reader()).memory_column("y") is None  # copied into DuckDB
    # DuckDB renames one of two names that differ only in case: only a query knows which
    renamed = open_source(pa.table({"g": [1], "G": [2]}))
    assert list(renamed.columns) != ["g", "G"]
    assert renamed.memory_column("g") is None


def test_long_columns_are_hashed_in_slices_into_one_dictionary(monkeypatch):
    monkeypatch.setattr(metrics_io, "_MIN_SLICE", 1000)  # slices on every core: 3 here
    monkeypatch.setattr(metrics_io, "_cores", lambda: 3)
    rng = np.random.default_rng(5)
    text = pa.array(rng.choice(["a", "b", "c", None], 10_001).tolist())
    chunked = pa.chunked_array([text.slice(0, 4_000), text.slice(4_000)])
    for array in (text, chunked, pa.array(rng.integers(0, 50, 10_001))):
        encoded = metrics_io.dictionary_encode(array)
        assert isinstance(encoded, pa.DictionaryArray)
        assert len(set(encoded.dictionary.to_pylist())) == len(encoded.dictionary)  # unified
        assert encoded.dictionary.take(encoded.indices).to_pylist() == array.to_pylist()


def test_a_forked_process_hashes_with_threads_of_its_own(monkeypatch):
    pool = metrics_io._encoder_pool()
    assert metrics_io._encoder_pool() is pool  # one pool per process
    monkeypatch.setattr(metrics_io, "_encoders", (-1, pool))  # as a forked child sees it
    assert metrics_io._encoder_pool() is not pool

"""The engine's DuckDB connections never print: no progress bar on standard output.

DuckDB draws a progress bar on standard output once a query has run for ``progress_bar_time``
(2 s by default). Python's duckdb switches the bar on for ``duckdb.connect()`` in an interactive
session, which it recognises by ``__main__`` having no ``__file__`` (``python -c``, a REPL,
Jupyter), and ``SET progress_bar_time`` switches it on for any connection. A program that reads
the engine's output on stdout (``aims check --format json`` in a pipeline, a script calling the
library) would then read the bar too.

The children below run with ``python -c`` (the interactive case) and lower
``progress_bar_time`` to 0 on the connection that runs the engine's query, so that a fairness
pass over a few million rows draws the bar at once if it can: on a plain connection it does;
on the engine's own it must not.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aims.metrics import io as metrics_io
from aims.metrics import open_source

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import sys

import duckdb
import numpy as np
import pyarrow as pa

from aims.metrics import fairness_statistics, open_source

connection = sys.argv[1]
rows = 5_000_000
rng = np.random.default_rng(0)
data = {
    "y": rng.integers(0, 2, rows, dtype=np.int8),
    "y_hat": rng.integers(0, 2, rows, dtype=np.int8),
    "group": rng.integers(0, 5, rows, dtype=np.int8),
}
# A record batch reader is copied into DuckDB, so the count below is a query (data left in
# memory would be counted with numpy, without one).
data = pa.table(data).to_reader()
src = open_source(data, con=duckdb.connect()) if connection == "plain" else open_source(data)
bar_on = src.con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0]
src.con.execute("SET progress_bar_time = 0")  # draw the bar as soon as there is progress
stats = fairness_statistics(src, label="y", prediction="y_hat", sensitive="group")
print(f"bar on by default: {bar_on}; rows counted: {stats.overall().n}", file=sys.stderr)
"""


def run_child(connection: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CHILD, connection],
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )


def test_a_plain_connection_prints_a_progress_bar_in_an_interactive_session():
    """The conditions of the next test make DuckDB print: it could not pass by construction."""
    child = run_child("plain")
    assert b"bar on by default: True; rows counted: 5000000" in child.stderr
    assert b"%" in child.stdout and b"\r" in child.stdout  # the bar, redrawn in place


def test_the_engines_connection_prints_nothing_under_the_same_conditions():
    child = run_child("engine")
    assert b"bar on by default: False; rows counted: 5000000" in child.stderr
    assert child.stdout == b""


def progress_settings(con) -> tuple:
    return con.execute(
        "SELECT current_setting('enable_progress_bar'), current_setting('enable_progress_bar_print')"
    ).fetchone()


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"y": [0, 1, 1, 0], "y_hat": [0, 1, 0, 0], "g": list("aabb")}), path)
    return path


def test_every_connection_the_engine_opens_has_the_bar_and_its_printing_off(log, tmp_path):
    csv = tmp_path / "log.csv"
    csv.write_text("y,g\n1,a\n0,b\n")
    table = pa.table({"y": [1, 0], "g": ["a", "b"]})
    sources = [
        open_source(log),
        open_source(csv),
        open_source(table),
        open_source(table.to_batches()[0]),
        open_source(pa.RecordBatchReader.from_batches(table.schema, table.to_batches())),
        open_source({"y": np.array([1, 0]), "g": ["a", "b"]}),
    ]
    for src in sources:
        assert progress_settings(src.con) == (False, False), src.label
    # The database the cursors belong to: its own connection is the engine's too.
    assert progress_settings(metrics_io._shared_database) == (False, False)


def test_a_connection_the_caller_passes_keeps_its_own_settings(log):
    """The engine quiets the connections it opens; a caller's connection stays the caller's."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = true")
    open_source(log, con=con)
    assert progress_settings(con) == (True, True)

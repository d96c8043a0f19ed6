"""Synthetic prediction logs the metrics benchmarks share: a deliberate bias against the first
value of each sensitive feature, in memory or written to Parquet in chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

SEXES = np.array(["Female", "Male"])
RACES = np.array(["Asian", "Black", "Other", "White", "Indigenous"])


def prediction_log(
    rng: np.random.Generator, n: int, features: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """``n`` rows: each feature's codes (int8), the label ``y`` and a ``score`` that favours
    every value but the first of the first feature."""
    codes = {
        name: rng.integers(0, len(values), n).astype(np.int8) for name, values in features.items()
    }
    y = (rng.random(n) < 0.3).astype(np.int8)
    first = next(iter(codes.values()))
    score = np.clip(0.35 * y + rng.random(n, dtype=np.float32) * 0.7 - 0.05 * (first == 0), 0, 1)
    return {"codes": codes, "y": y, "score": score.astype(np.float32)}


def write_log(path: Path, rows: int, *, seed: int = 1, chunk: int = 5_000_000) -> None:
    """A Parquet log of ``rows`` rows (``y``, ``score``, ``sex`` and ``race`` as dictionaries),
    written ``chunk`` rows at a time; a file already there with as many rows is kept."""
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return
    rng = np.random.default_rng(seed)
    features = {"sex": SEXES, "race": RACES}
    schema = pa.schema(
        [
            ("y", pa.int8()),
            ("score", pa.float32()),
            *((name, pa.dictionary(pa.int8(), pa.string())) for name in features),
        ]
    )
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        written = 0
        while written < rows:
            n = min(chunk, rows - written)
            log = prediction_log(rng, n, features)
            columns = {
                name: pa.DictionaryArray.from_arrays(log["codes"][name], values)
                for name, values in features.items()
            }
            table = pa.table({"y": log["y"], "score": log["score"], **columns}, schema=schema)
            writer.write_table(table, row_group_size=1_000_000)
            written += n

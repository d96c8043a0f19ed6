"""A pandas ``object`` column of text as an Arrow dictionary, by the identity of its objects.

Converting a column of Python strings (``pa.array``) reads every object's characters: 65 ms
for 2 million rows, twice what counting a whole Arrow text column by group costs. But the
text columns pandas makes with the ``object`` dtype usually hold few objects many times over:
``read_csv``, a database read and ``take`` from a short list store one object per distinct
value and a reference to it in every row. Such a column is encoded by its references: the
addresses of the objects (an ``id`` in CPython) are integers in the array's own buffer, which
Arrow dictionary-encodes in C++ (8 ms on 2 cores), and only the few objects behind them are
read as text. Equal strings held by different objects get one code, so the result is the
dictionary ``pa.array(...).dictionary_encode()`` would give.

`shared_text` answers None, and the caller converts the column as before, when that does not
apply: not CPython, a short column, a sample of the rows holding many distinct objects, more
than `_MAX_OBJECTS` in all, or an object that is neither a string nor missing (None, NaN or
``pd.NA``, which ``pa.array`` turns into NULL).
"""

from __future__ import annotations

import ctypes
import math
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from aims.metrics.io import dictionary_encode

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["shared_text"]

#: Shorter columns are converted as they are: it takes under a millisecond.
_MIN_ROWS = 1 << 15
#: The first rows, whose distinct objects tell whether the column shares its objects.
_SAMPLE = 4096
#: At most this many distinct objects in the sample, and `_MAX_OBJECTS` in the column.
_MAX_IN_SAMPLE = 256
_MAX_OBJECTS = 1 << 16


def shared_text(values: np.ndarray) -> pa.DictionaryArray | None:
    """``values`` (a 1-D numpy array of objects) dictionary-encoded by object; None: convert
    it by value."""
    import pyarrow as pa

    if (
        sys.implementation.name != "cpython"
        or values.dtype != object
        or values.ndim != 1
        or len(values) < _MIN_ROWS
        or not values.flags.c_contiguous
        or len(set(map(id, values[:_SAMPLE]))) > _MAX_IN_SAMPLE
    ):
        return None
    # The array's buffer holds the addresses of its objects; ``values`` keeps them alive.
    buffer = (ctypes.c_size_t * len(values)).from_address(values.ctypes.data)
    addresses = np.ctypeslib.as_array(buffer)
    by_object = dictionary_encode(pa.array(addresses))
    if len(by_object.dictionary) > _MAX_OBJECTS:
        return None
    objects = [
        ctypes.cast(address, ctypes.py_object).value for address in by_object.dictionary.to_pylist()
    ]
    texts: dict[str, int] = {}
    renumber = np.empty(len(objects), dtype=np.int32)
    for i, item in enumerate(objects):
        if isinstance(item, str):
            renumber[i] = texts.setdefault(item, len(texts))
        elif _missing(item):
            renumber[i] = -1
        else:
            return None  # not text: Arrow and DuckDB decide what the column is
    codes = renumber[by_object.indices.to_numpy()]
    nulls = codes < 0
    indices = pa.array(codes, mask=nulls) if nulls.any() else pa.array(codes)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(texts), pa.string()), safe=False)


def _missing(item: Any) -> bool:
    """None, NaN or pandas' ``NA``: what ``pa.array`` turns into NULL."""
    if item is None or (isinstance(item, float) and math.isnan(item)):
        return True
    kind = type(item)
    return kind.__name__ == "NAType" and kind.__module__.startswith("pandas")

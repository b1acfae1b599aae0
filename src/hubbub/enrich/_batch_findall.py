"""`re.findall` over a whole Arrow string column at once, as a list column.

Calling a regex once per post costs more in Python overhead than the scan itself. Here the
texts that a cheap Arrow prefilter lets through are joined with newlines into one Python
string, the regex runs once over it, and each match is given back to its row by position.
A newline is part of no entity pattern, and to every look-around in them it looks like the
edge of the string, so the matches are exactly those of the pattern on each text alone
(tests/enrich/test_entities_batch.py checks this against the per-text functions).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

STRINGS = pa.list_(pa.string())
_SEPARATOR = "\n"


def empty_lists(n: int) -> pa.Array:
    """`n` empty lists of strings."""
    offsets = pa.array(np.zeros(n + 1, np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array([], pa.string()))


def lists_from_rows(n: int, rows: list[int], values: list[str]) -> pa.Array:
    """A list column of `n` rows: value i goes to row `rows[i]` (rows ascending)."""
    counts = np.bincount(np.asarray(rows, np.int64), minlength=n)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))


def find_all(
    texts: pa.Array,
    pattern: re.Pattern[str],
    candidates: pa.Array,
    clean: Callable[[str], str] | None = None,
) -> pa.Array:
    """Per text: what `pattern` finds (its group 1 if it has one, else the whole match), passed
    through `clean`, empty ones dropped, repeats dropped, in first-seen order.

    `texts` has no nulls; `candidates` is True at least where the pattern can match (a row
    outside it gets an empty list without being scanned).
    """
    n = len(texts)
    rows = np.flatnonzero(pc.fill_null(candidates, False).to_numpy(zero_copy_only=False))
    if rows.size == 0:
        return empty_lists(n)
    lines = pc.binary_join_element_wise(texts.take(pa.array(rows)), "", _SEPARATOR)
    lengths = pc.utf8_length(lines).to_numpy()  # code points, as Python indexes a str
    starts = np.cumsum(lengths) - lengths
    group = 1 if pattern.groups else 0
    spans = [(m.start(), m.group(group)) for m in pattern.finditer(_joined(lines))]
    if not spans:
        return empty_lists(n)
    owner = rows[np.searchsorted(starts, [s for s, _ in spans], side="right") - 1].tolist()
    out_rows: list[int] = []
    out_values: list[str] = []
    seen: set[tuple[int, str]] = set()
    for row, (_, found) in zip(owner, spans, strict=True):
        value = clean(found) if clean is not None else found
        if value and (row, value) not in seen:
            seen.add((row, value))
            out_rows.append(row)
            out_values.append(value)
    return lists_from_rows(n, out_rows, out_values)


def _joined(lines: pa.Array) -> str:
    """The array's strings back to back, decoded once (they are already valid UTF-8)."""
    wide = lines.type == pa.large_string()
    offsets: npt.NDArray[np.int64] | npt.NDArray[np.int32] = np.frombuffer(
        lines.buffers()[1], np.int64 if wide else np.int32
    )
    begin, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    data = lines.buffers()[2]
    if data is None or begin == end:
        return ""
    return str(memoryview(data)[begin:end], "utf-8")

"""`re.findall` over a whole Arrow string column at once, as a list column.

Calling a regex once per post costs more in Python overhead than the scan itself. Here the
texts are joined with newlines into one Python string, the regex runs once over it, and each
match is given back to its row by position. A newline is part of no entity pattern, and to
every look-around in them it looks like the edge of the string, so the matches are exactly
those of the pattern on each text alone (tests/enrich/test_entities_batch.py checks this
against the per-text functions).

ASCII texts and the others are joined apart: one emoji makes a whole Python string four bytes
a character, which would slow every scan over it, and patterns that need a non-ASCII
character (emoji) only scan the second part.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

STRINGS = pa.list_(pa.string())
_SEPARATOR = "\n"
IntArray = npt.NDArray[np.int64]


def empty_lists(n: int) -> pa.Array:
    """`n` empty lists of strings."""
    offsets = pa.array(np.zeros(n + 1, np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array([], pa.string()))


def lists_from_rows(n: int, rows: IntArray | list[int], values: pa.Array | list[str]) -> pa.Array:
    """A list column of `n` rows: value i goes to row `rows[i]` (rows ascending)."""
    counts = np.bincount(np.asarray(rows, np.int64), minlength=n)
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.string()))


@dataclass(frozen=True)
class _Part:
    text: str  # the part's texts, each followed by a newline
    starts: IntArray  # where each text begins in `text` (code points)
    rows: IntArray  # the row each text is


class JoinedTexts:
    """A string column (no nulls) ready for `find_all`: built once, scanned by each pattern."""

    def __init__(self, texts: pa.Array) -> None:
        self.count = len(texts)  # rows in the column
        ascii_rows = pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
        self._ascii = _part(texts, np.flatnonzero(ascii_rows), ascii_only=True)
        self._other = _part(texts, np.flatnonzero(~ascii_rows), ascii_only=False)

    def find_all(
        self,
        pattern: re.Pattern[str],
        clean: Callable[[list[str]], list[str]] | None = None,
        *,
        take: Callable[[re.Match[str]], str] | None = None,
        needs_non_ascii: bool = False,
    ) -> pa.Array:
        """Per text: what `pattern` finds (`take(match)`, else its group 1 if it has one, else
        the whole match), passed through `clean` (a list at a time), empty ones and repeats
        dropped, in first-seen order.

        `needs_non_ascii`: the pattern cannot match an ASCII text, so those are not scanned.
        """
        group = 1 if pattern.groups else 0
        owners: list[IntArray] = []
        found: list[str] = []
        for part in (self._other,) if needs_non_ascii else (self._ascii, self._other):
            matches = pattern.finditer(part.text)
            if take is None:
                spans = [(m.start(), m.group(group)) for m in matches]
            else:
                spans = [(m.start(), take(m)) for m in matches]
            if spans:
                where = np.searchsorted(part.starts, [s for s, _ in spans], side="right") - 1
                owners.append(part.rows[where])
                found.extend(value for _, value in spans)
        if not found:
            return empty_lists(self.count)
        owner = np.concatenate(owners)
        if len(owners) > 1:
            # Each row's matches come from one part, in text order: a stable sort keeps it.
            order = np.argsort(owner, kind="stable")
            owner = owner[order]
            found = [found[i] for i in order.tolist()]
        values = pa.array(clean(found) if clean is not None else found, pa.string())
        keep = first_of_each(owner, values)
        if keep is not None:
            owner, values = owner[keep], values.take(pa.array(keep))
        return lists_from_rows(self.count, owner, values)


def first_of_each(owner: IntArray, values: pa.Array) -> IntArray | None:
    """Indexes of the values to keep (none empty, none a repeat within its row), or None to
    keep them all. `owner` is sorted."""
    filled: npt.NDArray[np.bool_] = pc.greater(pc.binary_length(values), 0).to_numpy(
        zero_copy_only=False
    )
    if not (owner[1:] == owner[:-1]).any() and filled.all():
        return None
    found = pa.table({"row": owner, "value": values, "at": np.arange(len(owner))})
    firsts = found.group_by(["row", "value"], use_threads=False).aggregate([("at", "min")])
    keep: IntArray = np.sort(firsts.column("at_min").to_numpy())
    return np.asarray(keep[filled[keep]], np.int64)


def _part(texts: pa.Array, rows: IntArray, *, ascii_only: bool) -> _Part:
    if rows.size == 0:
        return _Part("", np.zeros(0, np.int64), rows)
    lines = pc.binary_join_element_wise(texts.take(pa.array(rows)), "", _SEPARATOR)
    # Python indexes a str by code point; in ASCII a byte is one.
    sizes = pc.binary_length(lines) if ascii_only else pc.utf8_length(lines)
    lengths = sizes.to_numpy().astype(np.int64)
    return _Part(_joined(lines), np.cumsum(lengths) - lengths, rows)


def _joined(lines: pa.Array) -> str:
    """The array's strings back to back, decoded once (they are already valid UTF-8)."""
    wide = lines.type == pa.large_string()
    offsets = np.frombuffer(lines.buffers()[1], np.dtype(np.int64 if wide else np.int32))
    begin, end = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
    data = lines.buffers()[2]
    if data is None or begin == end:
        return ""
    return str(memoryview(data)[begin:end], "utf-8")

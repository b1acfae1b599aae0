"""Small Arrow helpers every enricher uses: read the post text, replace or add a column."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def post_texts(table: pa.Table) -> list[str]:
    """Title and text of each post joined by a newline (a Reddit title carries meaning too)."""
    n = table.num_rows
    titles = table.column("title").to_pylist() if "title" in table.column_names else [None] * n
    texts = table.column("text").to_pylist() if "text" in table.column_names else [None] * n
    return [
        f"{title}\n{text}" if title and text else (text or title or "")
        for title, text in zip(titles, texts, strict=True)
    ]


def post_text_array(table: pa.Table) -> pa.Array:
    """`post_texts` as one Arrow string array (no nulls), built in Arrow: no Python per post."""
    text = column_or_nulls(table, "text", pa.string())
    title = column_or_nulls(table, "title", pa.string())
    if title.null_count == len(title):
        return pc.fill_null(text, "")  # the common case: no titles, `text or ""`
    has_text = pc.fill_null(pc.greater(pc.binary_length(text), 0), False)
    has_title = pc.fill_null(pc.greater(pc.binary_length(title), 0), False)
    either = pc.if_else(has_text, text, pc.if_else(has_title, title, ""))
    both = pc.binary_join_element_wise(title, text, "\n")
    return pc.if_else(pc.and_(has_text, has_title), both, either)


def column_or_nulls(table: pa.Table, name: str, type_: pa.DataType) -> pa.Array:
    """The column as one array of `type_`, or all nulls when the table lacks it."""
    if name not in table.column_names:
        return pa.nulls(table.num_rows, type_)
    return table.column(name).combine_chunks().cast(type_)


def set_column(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    """Replace column `name` in place, or append it when absent."""
    if name in table.column_names:
        i = table.column_names.index(name)
        return table.set_column(i, pa.field(name, values.type), values)
    return table.append_column(pa.field(name, values.type), values)


def null_rows(values: pa.Array) -> npt.NDArray[np.int64]:
    """Indexes of the null entries."""
    return np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))


def replace_rows(values: pa.Array, rows: npt.NDArray[np.int64], new: pa.Array) -> pa.Array:
    """`values` with entry `rows[i]` replaced by `new[i]` (same type), the rest as they are."""
    if rows.size == len(values):
        return new
    n = len(values)
    pick = np.arange(n)
    pick[rows] = n + np.arange(rows.size)
    return pa.concat_arrays([values, new]).take(pa.array(pick))

"""Do a batch's ids repeat, or meet another batch's? Answered from 64-bit hashes of the ids.

Arrow's `unique` and `is_in` build a hash table of the strings themselves: ~23 and ~34 ms for
a batch of 122,880 tweet ids, paid for each batch an import dedupes and for each pair of
batches that commit at once (~4% of an import's CPU). Hashing the ids once into 64-bit
numbers and comparing those costs a few milliseconds. A "no" from the hashes is certain; a
"yes" may be a collision, so callers check it exactly (it is rare in fresh data either way).

Small batches use Arrow directly: the kernels are numba, which costs ~0.5 s to load.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

UIntArray = npt.NDArray[np.uint64]

#: Below this many ids, Arrow's exact answer is cheap enough.
HASHED_FROM: Final = 20_000


def id_hashes(ids: pa.ChunkedArray | pa.Array) -> UIntArray:
    """The 64-bit hash of each id (a string column without nulls), in order."""
    from hubbub.id_hashes_kernel import hash_strings
    from hubbub.query.compiled_tokens import utf8_buffers

    chunks = ids.chunks if isinstance(ids, pa.ChunkedArray) else [ids]
    out = np.empty(len(ids), np.uint64)
    at = 0
    for chunk in chunks:
        if len(chunk):
            strings = chunk if chunk.type == pa.string() else chunk.cast(pa.string())
            hash_strings(*utf8_buffers(strings), out[at : at + len(strings)])
            at += len(strings)
    return out


def ids_repeat(ids: pa.ChunkedArray | pa.Array) -> bool:
    """Whether some id occurs twice."""
    if len(ids) < HASHED_FROM:
        return len(pc.unique(ids)) < len(ids)
    from hubbub.id_hashes_kernel import any_repeated

    return bool(any_repeated(id_hashes(ids))) and len(pc.unique(ids)) < len(ids)


def ids_meet(ids: pa.ChunkedArray, others: pa.ChunkedArray) -> bool:
    """Whether some id of `ids` is also in `others`."""
    if not len(ids) or not len(others):
        return False
    if len(ids) + len(others) >= HASHED_FROM:
        from hubbub.id_hashes_kernel import any_common

        if not any_common(id_hashes(ids), id_hashes(others)):
            return False
    # (is_in builds its own hash set of `others`; the ids of a batch are already unique.)
    return pc.any(pc.is_in(ids, value_set=others.combine_chunks())).as_py() is True

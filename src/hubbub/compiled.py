"""numba's `njit` as typed decorators, for hubbub's text kernels over Arrow buffers.

Importing this module imports numba (~0.4 s), so modules that use it are imported only where
a kernel runs (the fast sentiment tier, the topic matcher), never by the CLI at start-up.
Kernels are cached on disk: compiling takes seconds once, loading milliseconds after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

Function = TypeVar("Function", bound=Callable[..., Any])


def compiled(function: Function) -> Function:
    """Compile `function` in nopython mode, releasing the GIL while it runs."""
    return cast(Function, numba.njit(cache=True, nogil=True)(function))


def inlined(function: Function) -> Function:
    """`compiled`, for a helper of the kernels: inlined into its callers (calls that return
    tuples measured several times slower than the same code written inline)."""
    return cast(Function, numba.njit(cache=True, nogil=True, inline="always")(function))


def warm() -> float:
    """Compile (or load from the disk cache) every kernel hubbub has; returns the seconds taken.

    `make` runs this once after installing, so the first import or test does not stop for the
    ten or twenty seconds numba takes to compile them.
    """
    import time
    from datetime import UTC, datetime

    import pyarrow as pa

    from hubbub.enrich.sentiment import classify
    from hubbub.id_hashes import HASHED_FROM, ids_meet, ids_repeat
    from hubbub.json_keys import KeyScanner
    from hubbub.normalize import records_to_table
    from hubbub.query import compile_topics

    start = time.perf_counter()
    text = "Loving the new #phone from @acme :) https://acme.example/x café 😀"
    classify([text], "fast")
    now = datetime.now(UTC)
    post = {
        "id": "warm:1",
        "platform": "warm",
        "native_id": "1",
        "created_at": now,
        "collected_at": now,
        "kind": "post",
        "text": text,
        "mapping_version": "warm-1",
    }
    KeyScanner(["text"]).scan(b'{"text": "x", "likes": [1]}\n')
    many = pa.array([f"warm:{k}" for k in range(HASHED_FROM)])
    ids_repeat(many)
    ids_meet(pa.chunked_array([many]), pa.chunked_array([many[:1]]))
    compile_topics({"phone": '"new #phone" OR acme* OR (cafe NEAR/2 loving)'}).match_batch(
        records_to_table([post])
    )
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"hubbub's text kernels are compiled and cached ({warm():.1f}s)")

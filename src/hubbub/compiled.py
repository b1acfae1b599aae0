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

"""Which JSON types the values of each known key have, over a whole chunk of NDJSON (numba).

One pass over the bytes, tracking only whether it is inside a string. In JSON a colon outside
a string always follows an object key, so the string that ended last is that key; the first
character after the colon tells the value's type. Keys of nested objects count too: that can
only make a chunk look less clean than it is, never cleaner.

The answer lets `native_ndjson` read each column the cheapest way that is still exact: a key
whose values were only strings (or only whole numbers, ...) is read with its own type, and only
keys seen with other types need a per-row check. It assumes the bytes are valid JSON, which
DuckDB checks right after; on invalid JSON it returns something harmless, not an error.

The kernels are in `json_keys_kernel`, imported on the first scan: this module's constants are
used by code that must not load numba (the CLI imports the pipeline at start-up).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
ByteArray = npt.NDArray[np.uint8]

SLOTS: Final = 1024  # the size of the table of key slots

# Bits of a key's answer: the kinds of values it had.
STRING: Final = 1
INTEGER: Final = 2  # a number without fraction or exponent, at most 18 digits
NUMBER: Final = 4  # any other number: 1.5, 1e3, or more digits than int64 surely holds
BOOLEAN: Final = 8
NULL: Final = 16
OBJECT: Final = 32
ARRAY: Final = 64  # an array of strings only
MIXED_ARRAY: Final = 128  # an array holding anything but strings
#: Set in the extra last slot when a key was written with an escape (`"te\\u0078t"`), which
#: the scan cannot name: the caller must not trust any answer then.
ESCAPED_KEY: Final = 256
# Bits on the shape of a key's string values, for the keys a scanner is asked to check
# (`padded=`, `times=`); the other keys never have them.
#: Some value may start or end with a character `normalize.TRIM_CHARS` strips (a space, a
#: \t \r \n or \u escape, a raw U+FEFF or U+200B); none does when it is not set.
PADDED: Final = 512
#: Some value is not an ISO-8601 date-time as `native_ndjson._ISO_TIME` spells one (or is
#: written with an escape); all are when it is not set.
NOT_ISO: Final = 1024
SHAPES: Final = PADDED | NOT_ISO
CHECK_PADDED: Final = 1  # kinds of check, by key, for the kernel
CHECK_TIME: Final = 2


class KeyScanner:
    """Scans chunks for the value types of a fixed list of keys, and the shape of the string
    values of some (`padded`: PADDED, `times`: NOT_ISO)."""

    def __init__(
        self, names: Sequence[str], *, padded: Sequence[str] = (), times: Sequence[str] = ()
    ) -> None:
        # Each name gets its own slot of a small table (checked here), so a lookup is one
        # hash of four bytes and one comparison: a general hash table cost twice the scan.
        self.names = tuple(names)
        self.checks = np.array(
            [
                CHECK_PADDED if n in padded else CHECK_TIME if n in times else 0
                for n in self.names
            ],
            np.int64,
        )
        encoded = [n.encode() for n in self.names]
        self.lengths = np.array([len(n) for n in encoded], np.int64)
        self.starts = np.cumsum(self.lengths) - self.lengths
        self.arena = np.frombuffer(b"".join(encoded), np.uint8)
        self.shifts, self.slots = _perfect_slots(encoded)

    def scan(self, data: bytes | bytearray | memoryview) -> dict[str, int]:
        """{key: bits} for the keys seen; "" holds ESCAPED_KEY if a key used an escape."""
        return self.scan_lines(data, 0)[0]

    def scan_lines(
        self, data: bytes | bytearray | memoryview, line_count: int
    ) -> tuple[dict[str, int], IntArray, IntArray]:
        """`scan`, then the 0-based lines (of `line_count`) where a checked value had a shape
        bit (PADDED, NOT_ISO), in order, and the offset in `data` where each of them starts."""
        from hubbub.json_keys_kernel import scan

        array = np.frombuffer(data, np.uint8)
        # The word reads start at the first 8-byte aligned address (a chunk's part starts
        # wherever a line does).
        lead = min(-array.ctypes.data % 8, len(array))
        words = np.frombuffer(data, np.uint64, (len(array) - lead) // 8, lead)
        marked = np.empty(line_count, np.int64)
        marked_at = np.empty(line_count, np.int64)
        seen = scan(
            array,
            words,
            lead,
            self.slots,
            self.shifts,
            self.starts,
            self.lengths,
            self.arena,
            self.checks,
            marked,
            marked_at,
        )
        fields = len(self.names)
        found = {name: int(seen[k]) for k, name in enumerate(self.names) if seen[k]}
        if seen[fields]:
            found[""] = int(seen[fields])
        count = seen[fields + 1]
        return found, marked[:count], marked_at[:count]


def _perfect_slots(names: Sequence[bytes]) -> tuple[IntArray, IntArray]:
    """Shifts for `_slot` that give every name a slot of its own, and the slot table."""
    for shifts in itertools.product(range(8), repeat=3):
        shift_array = np.array(shifts, np.int64)
        slots = np.full(SLOTS, -1, np.int64)
        for k, name in enumerate(names):
            slot = _slot_py(name, shifts)
            if slots[slot] >= 0:
                break
            slots[slot] = k
        else:
            return shift_array, slots
    raise ValueError("no collision-free slots for these keys; widen SLOTS")


def _slot_py(name: bytes, shifts: tuple[int, ...]) -> int:
    size = len(name)
    mixed = size ^ (name[0] << shifts[0]) ^ (name[size // 2] << shifts[1]) ^ (name[-1] << shifts[2])
    return mixed & (SLOTS - 1)

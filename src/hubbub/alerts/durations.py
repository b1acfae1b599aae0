"""Durations written the way people write them: 30m, 6h, 1d, 2w."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from hubbub.errors import HubbubError

_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str, *, what: str = "duration") -> timedelta:
    """`30m`, `6h`, `1d`, `2w` as a timedelta; anything else is a clear error."""
    text = str(text).strip()
    number, unit = text[:-1], text[-1:]
    if unit not in _UNITS or not number.isdigit() or int(number) == 0:
        raise HubbubError(
            f"cannot read the {what} {text!r}", "write a positive number and a unit: 30m, 6h, 1d, 2w"
        )
    return timedelta(**{_UNITS[unit]: int(number)})

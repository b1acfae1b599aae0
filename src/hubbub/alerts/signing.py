"""Webhook signatures, so a receiver can tell hubbub's requests from anyone else's.

Scheme (HMAC-SHA256, like Stripe's and GitHub's):

    X-Hubbub-Timestamp: <unix seconds when the request was signed>
    X-Hubbub-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>." + raw body bytes)>

The receiver recomputes the HMAC over the raw body it received, compares in constant time, and
rejects timestamps older than a few minutes (so a captured request cannot be replayed later).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Final

SIGNATURE_HEADER: Final = "X-Hubbub-Signature"
TIMESTAMP_HEADER: Final = "X-Hubbub-Timestamp"


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The X-Hubbub-Signature value for `body` signed at `timestamp`."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, body, timestamp)}


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """True when `signature` is hubbub's for `body` at `timestamp`, signed within `tolerance` s."""
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, body, int(timestamp)), signature)

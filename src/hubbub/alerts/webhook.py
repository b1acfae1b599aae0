"""Webhook delivery: a signed JSON POST, retried with exponential backoff on 5xx and timeouts."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from hubbub.alerts.signing import signed_headers


@dataclass(frozen=True)
class DeliverySettings:
    """How hard to try. Waits are backoff, 2 x backoff, 4 x backoff ... between attempts."""

    attempts: int = 4
    backoff: float = 1.0
    timeout: float = 10.0


@dataclass
class DeliveryResult:
    channel: str
    target: str
    status: str  # delivered | failed
    attempts: int
    http_status: int | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "target": self.target,
            "status": self.status,
            "attempts": self.attempts,
            "http_status": self.http_status,
            "error": self.error,
        }


def _retryable(status: int) -> bool:
    return status >= 500 or status == 429


def post_webhook(
    url: str,
    payload: dict[str, Any],
    secret_env: str,
    settings: DeliverySettings = DeliverySettings(),
) -> DeliveryResult:
    """POST `payload` as JSON to `url`, signed with the secret in $`secret_env`."""
    secret = os.environ.get(secret_env)
    if not secret:
        return DeliveryResult(
            "webhook", url, "failed", 0,
            error=f"the signing secret's environment variable {secret_env} is not set",
        )
    body = orjson.dumps(payload, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)
    delivery_id = str(uuid.uuid4())  # the same on every retry: receivers can drop duplicates
    result = DeliveryResult("webhook", url, "failed", 0)
    with httpx.Client(timeout=settings.timeout, follow_redirects=False) as client:
        for attempt in range(1, settings.attempts + 1):
            result.attempts = attempt
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "hubbub-alerts/1",
                "X-Hubbub-Delivery": delivery_id,
                "X-Hubbub-Event": str(payload.get("event_id", "")),
                **signed_headers(secret, body),  # signed per attempt: fresh timestamp
            }
            try:
                response = client.post(url, content=body, headers=headers)
            except httpx.TimeoutException:
                result.error, result.http_status = f"timed out after {settings.timeout:g} s", None
            except httpx.HTTPError as exc:
                result.error, result.http_status = f"{type(exc).__name__}: {exc}", None
            else:
                result.http_status = response.status_code
                if response.is_success:
                    result.status, result.error = "delivered", None
                    return result
                result.error = f"HTTP {response.status_code}: {response.text[:200]}"
                if not _retryable(response.status_code):
                    return result  # a 4xx will not change by asking again
            if attempt < settings.attempts:
                time.sleep(settings.backoff * 2 ** (attempt - 1))
    return result

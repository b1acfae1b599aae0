"""API fuzzing with schemathesis over the app's own OpenAPI: no input makes the server fail (5xx).

Requests are generated from the schema (valid and invalid), sent over HTTP to the real server
with an owner's API token, so every endpoint is reached past authentication.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from hubbub.web import create_app
from tests.web.live import add_members, airline_store, running

EXAMPLES = 10  # per operation and mode: several hundred requests in all


@pytest.fixture(scope="module")
def fuzzed(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    db = airline_store(shared_data, tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb")
    token = add_members(db, "fuzz").tokens["owner"]
    with running(create_app(str(db))) as url:
        yield url, token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_input_makes_the_api_fail(fuzzed: tuple[str, str], mode: GenerationMode) -> None:
    url, token = fuzzed
    # The PDF/PNG report starts Chromium (seconds per call) and an export streams the whole
    # store (seconds per call at this size): both are tested on their own (tests/exports).
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json").exclude(
        path_regex="/report$|^/api/v1/export/"
    )
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API is fuzzed, not a corner of it
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.query} {case.body!r}"
                    f" -> {response.status_code}: {response.text[:300]}"
                )

        call()
    assert not failures, "\n".join(failures[:10])
    assert len(statuses) >= 5 * len(operations)
    if mode is GenerationMode.POSITIVE:  # past authentication: valid requests succeed
        assert sum(200 <= s < 300 for s in statuses) > len(operations)

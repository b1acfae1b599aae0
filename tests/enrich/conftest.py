"""Real posts for enrichment tests: TweetEval sentiment validation tweets as Post rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from hubbub.enrich.datasets import load_tweeteval
from hubbub.normalize import records_to_table

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def sentiment_val(shared_data: Path) -> tuple[list[str], list[str]]:
    return load_tweeteval(shared_data, "sentiment", "val")


def posts_table(texts: list[str], **columns: list[object]) -> pa.Table:
    """Post rows (one a day from 2026-01-01) with the given texts and extra column values."""
    records = []
    for i, text in enumerate(texts):
        record: dict[str, object] = {
            "id": f"tweeteval:{i}",
            "platform": "tweeteval",
            "native_id": str(i),
            "created_at": START + timedelta(days=i),
            "collected_at": START + timedelta(days=i),
            "kind": "post",
            "text": text,
            "mapping_version": "test-1",
        }
        record.update({name: values[i] for name, values in columns.items()})
        records.append(record)
    return records_to_table(records)

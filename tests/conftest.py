"""Fixtures shared by every test: where the real data lives, a fresh store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HUBBUB_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: real social data for tests (never shipped)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real test data not found at {SHARED_DATA}; set HUBBUB_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture()
def db_path(tmp_path: Path) -> Iterator[Path]:
    """A path for a fresh DuckDB file in a temporary folder."""
    yield tmp_path / "test.duckdb"

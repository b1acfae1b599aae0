"""A store holding the real airline tweets, with the six airlines as our owned accounts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import hubbub
from tests.realdata import AIRLINE_MAPPING, AIRLINES

AIRLINE_CSV = ("corpus", "twitter_us_airline_sentiment", "Tweets_part_shared.csv")


@pytest.fixture(scope="module")
def airline_csv(shared_data: Path) -> Path:
    return shared_data.joinpath(*AIRLINE_CSV)


@pytest.fixture(scope="module")
def airline_template(tmp_path_factory: pytest.TempPathFactory, airline_csv: Path) -> Path:
    """Imported once per module (with the default enrichers); each test gets its own copy."""
    path = tmp_path_factory.mktemp("airline") / "airline.duckdb"
    with hubbub.open(path) as hb:
        report = hb.import_files([airline_csv], mapping=AIRLINE_MAPPING, platform="twitter")
        assert report.new > 10_000
        for handle in AIRLINES.values():
            hb.owned.add(handle, "twitter")
    return path


@pytest.fixture()
def airline_hb(tmp_path: Path, airline_template: Path) -> Iterator[hubbub.Hubbub]:
    copy = tmp_path / "airline.duckdb"
    shutil.copy(airline_template, copy)
    hb = hubbub.open(copy)
    yield hb
    hb.close()

"""Real airline tweets (Feb 2015) imported day by day, with the six airlines as topics.

The corpus has a real story: on 22 Feb American Airlines' mentions jump from ~2% to ~18% of the
six airlines (storm cancellations), JetBlue's net sentiment falls ~23 points, '@americanair'
emerges and American's hourly volume spikes. Before 21 Feb none of that is there, so the same
rules that fire on the 22nd must stay silent on the data up to the 21st.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import hubbub
from hubbub.landing import landing_dir_for
from hubbub.topics import add_topic
from tests.alerts.servers import Mailbox, smtp_server
from tests.realdata import AIRLINE_LABELLED, AIRLINES

FEB21 = datetime(2015, 2, 21, tzinfo=UTC)
FEB23 = datetime(2015, 2, 23, tzinfo=UTC)


def _created(row: dict[str, str]) -> datetime | None:
    try:
        return datetime.strptime(row["tweet_created"], "%Y-%m-%d %H:%M:%S %z").astimezone(UTC)
    except (TypeError, ValueError):
        return None  # a few rows of the CSV are broken (shifted columns): left out


@pytest.fixture(scope="session")
def airline_parts(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The corpus split by UTC time: before 21 Feb, 21-22 Feb, from 23 Feb."""
    source = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    folder = tmp_path_factory.mktemp("airline_parts")
    with source.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = [(r, t) for r in reader if (t := _created(r)) is not None]
        fields = reader.fieldnames or []
    parts = {
        "before": [r for r, t in rows if t < FEB21],
        "surge": [r for r, t in rows if FEB21 <= t < FEB23],
        "after": [r for r, t in rows if t >= FEB23],
    }
    paths = {}
    for name, part in parts.items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=fields)
            writer.writeheader()
            writer.writerows(part)
        paths[name] = path
    return paths


def import_part(hb: hubbub.Hubbub, path: Path) -> None:
    hb.import_files([path], platform="twitter", mapping=AIRLINE_LABELLED, enrich=False)


@pytest.fixture(scope="session")
def before_db(airline_parts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the tweets before 21 Feb and the airline topics (group 'airlines')."""
    db = tmp_path_factory.mktemp("before") / "h.duckdb"
    with hubbub.open(db) as hb:
        for name, handle in AIRLINES.items():
            add_topic(hb.store, name, handle, "airlines")
        import_part(hb, airline_parts["before"])
    return db


@pytest.fixture()
def store_before(before_db: Path, tmp_path: Path) -> Path:
    """A private copy of `before_db` for one test."""
    db = tmp_path / "h.duckdb"
    shutil.copy(before_db, db)
    landing = landing_dir_for(str(before_db))
    if Path(landing).exists():
        shutil.copytree(landing, landing_dir_for(str(db)))
    return db


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on loopback, configured for hubbub through HUBBUB_SMTP_* variables."""
    with smtp_server() as (port, mailbox):
        monkeypatch.setenv("HUBBUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("HUBBUB_SMTP_PORT", str(port))
        monkeypatch.setenv("HUBBUB_SMTP_FROM", "alerts@hubbub.test")
        monkeypatch.setenv("HUBBUB_SMTP_STARTTLS", "0")
        yield mailbox

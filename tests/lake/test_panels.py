"""Lake panels: the rollup answer == a full scan == the store's metrics, on posts resampled from
real tweets; rollups recomputed from posts and matches agree with what the generator wrote."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from hubbub.analytics import metrics
from hubbub.analytics.scope import Scope
from hubbub.errors import HubbubError
from hubbub.lake.generate import GenerateReport
from hubbub.lake.panels import LakePanels
from hubbub.lake.rollups import refresh, rollups_glob
from hubbub.lake.topics_file import group_members
from hubbub.store import Store
from tests.lake.conftest import TOPICS

GROUP = group_members(TOPICS, "tech")
SINCE, UNTIL = datetime(2025, 1, 6, tzinfo=UTC), datetime(2025, 1, 20, tzinfo=UTC)


@pytest.fixture()
def panels(small_lake: tuple[Path, GenerateReport]) -> Any:
    with LakePanels(small_lake[0]) as p:
        yield p


@pytest.fixture()
def store(lake_store: Path) -> Any:
    s = Store(str(lake_store), read_only=True)
    yield s
    s.close()


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def _same_three_ways(
    panel: str, panels: LakePanels, store: Store, scope: Scope, **kwargs: Any
) -> list[dict[str, Any]]:
    store_kwargs = dict(kwargs)
    lake_kwargs = {**kwargs, "since": scope.since, "until": scope.until}
    if panel == "share_of_voice":
        from_store = metrics.share_of_voice(store, "tech", scope, **store_kwargs)
        args: tuple[Any, ...] = (GROUP,)
    else:
        if scope.topics:
            lake_kwargs["topics"] = scope.topics
        from_store = getattr(metrics, panel)(store, scope, **store_kwargs)
        args = ()
    rolled = getattr(panels, panel)(*args, source="rollups", **lake_kwargs)
    scanned = getattr(panels, panel)(*args, source="scan", **lake_kwargs)
    assert rolled.schema.names == from_store.schema.names
    assert _rows(rolled) == _rows(scanned) == _rows(from_store)
    assert rolled.num_rows > 0
    return _rows(rolled)


@pytest.mark.parametrize("bucket", ["day", "week", None])
def test_volume(panels: LakePanels, store: Store, bucket: str | None) -> None:
    rows = _same_three_ways("volume", panels, store, Scope(), bucket=bucket)
    assert sum(r["posts"] for r in rows) == 30_000


@pytest.mark.parametrize("bucket", ["day", None])
def test_volume_by_topic_and_one_topic(
    panels: LakePanels, store: Store, bucket: str | None
) -> None:
    rows = _same_three_ways("volume", panels, store, Scope(), bucket=bucket, by_topic=True)
    assert {r["topic"] for r in rows} == {t.name for t in TOPICS}
    _same_three_ways("volume", panels, store, Scope(topics=("apple",)), bucket=bucket)


@pytest.mark.parametrize("bucket", ["day", "week", None])
def test_share_of_voice(panels: LakePanels, store: Store, bucket: str | None) -> None:
    rows = _same_three_ways("share_of_voice", panels, store, Scope(), bucket=bucket)
    if bucket is None:
        assert {r["topic"] for r in rows} == set(GROUP)
        assert sum(r["share_of_voice"] for r in rows) == pytest.approx(100, abs=0.05)


@pytest.mark.parametrize("bucket", ["day", "week", None])
def test_sentiment(panels: LakePanels, store: Store, bucket: str | None) -> None:
    rows = _same_three_ways("sentiment", panels, store, Scope(), bucket=bucket)
    assert all(r["positive"] + r["negative"] > 0 for r in rows)
    _same_three_ways("sentiment", panels, store, Scope(), bucket=bucket, by_topic=True)


def test_date_bounds_prune_and_agree(panels: LakePanels, store: Store) -> None:
    scope = Scope(since=SINCE, until=UNTIL)
    rows = _same_three_ways("volume", panels, store, scope)
    assert [r["bucket"].day for r in rows] == list(range(6, 20))
    _same_three_ways("share_of_voice", panels, store, scope, bucket="day")
    _same_three_ways("sentiment", panels, store, scope, by_topic=True)


def test_what_only_a_scan_answers(panels: LakePanels, store: Store) -> None:
    """Hour buckets, another time zone, bounds inside a day, posts of several topics at once."""
    inside = Scope(since=datetime(2025, 1, 6, 7, 30, tzinfo=UTC), until=UNTIL)
    cases: list[tuple[str, Scope, dict[str, Any]]] = [
        ("volume", Scope(), {"bucket": "hour"}),
        ("sentiment", Scope(), {"bucket": "day", "tz": "America/New_York"}),
        ("volume", inside, {"bucket": "day"}),
        ("volume", Scope(topics=("apple", "samsung")), {"bucket": "day"}),
    ]
    for panel, scope, kwargs in cases:
        lake_kwargs = {**kwargs, "since": scope.since, "until": scope.until}
        if scope.topics:
            lake_kwargs["topics"] = scope.topics
        auto = getattr(panels, panel)(**lake_kwargs)
        assert _rows(auto) == _rows(getattr(metrics, panel)(store, scope, **kwargs))
        with pytest.raises(HubbubError, match="rollups cannot"):
            getattr(panels, panel)(source="rollups", **lake_kwargs)


def _rollup_rows(lake: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    rows = con.sql(
        f"SELECT day, platform, topic, sentiment, posts, engagement, potential_reach,"
        f" round(sentiment_score_sum, 6) FROM read_parquet('{rollups_glob(lake)}') ORDER BY ALL"
    ).fetchall()
    con.close()
    return rows


def test_refresh_recomputes_what_the_generator_wrote(
    small_lake: tuple[Path, GenerateReport], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(small_lake[0], lake)
    written = _rollup_rows(lake)
    shutil.rmtree(lake / "rollups")
    assert refresh(lake) == 28
    assert _rollup_rows(lake) == written


def test_refresh_of_some_days_after_a_writer_adds_posts(
    small_lake: tuple[Path, GenerateReport], tmp_path: Path
) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(small_lake[0], lake)
    day = lake / "posts" / "platform=twitter" / "day=2025-01-10"
    first = sorted(day.glob("*.parquet"))[0]
    # Another writer lands a second copy of that day's posts under new ids ...
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    extra = pq.read_table(first, partitioning=None)
    extra = extra.set_column(0, "id", pc.binary_join_element_wise(extra["id"], "x", ""))
    # ... with a column our files lack (the Spark job's files carry more enrichment).
    extra = extra.append_column("emotion", pa.array(["joy"] * extra.num_rows))
    pq.write_table(extra, day / "part-0-extra.parquet")  # read first: its schema leads
    with LakePanels(lake) as stale:
        before = stale.volume(source="rollups").to_pylist()
        assert before != stale.volume(source="scan").to_pylist()  # stale until refreshed
    assert refresh(lake, days=["2025-01-10"]) == 1
    with LakePanels(lake) as fresh:
        after = fresh.volume(source="rollups").to_pylist()
        assert after == fresh.volume(source="scan").to_pylist()
    changed = [a["bucket"].day for a, b in zip(after, before, strict=True) if a != b]
    assert changed == [10]


def test_not_a_lake_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HubbubError, match="not a hubbub lake"):
        LakePanels(tmp_path)
    with pytest.raises(HubbubError, match="not a hubbub lake"):
        refresh(tmp_path)

"""The generator: deterministic, the sizes asked for, real texts with exact matches and labels,
daily/weekly cycles, bursts and heavy-tailed authors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from hubbub.enrich.sentiment import classify
from hubbub.errors import HubbubError
from hubbub.lake.generate import GenerateReport, generate, hour_of_week, week_profile
from hubbub.query import compile_topics
from hubbub.store import Store
from tests.lake.conftest import LAKE_POSTS, TOPICS, read_lake


def _files(lake: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()
    }


def test_same_seed_gives_the_same_bytes_whatever_the_workers(
    source_table: pa.Table, small_lake: tuple[Path, GenerateReport], tmp_path: Path
) -> None:
    lake, _ = small_lake
    again = tmp_path / "again"
    generate(
        source_table, again, posts=LAKE_POSTS, seed=11, days=28, topics=TOPICS,
        chunk_posts=12_000, workers=1,
    )  # fmt: skip
    first, second = _files(lake), _files(again)
    assert len(first) > 28 * 2  # posts, matches and rollups of every day
    assert first == second
    other = tmp_path / "other"
    generate(
        source_table, other, posts=LAKE_POSTS, seed=12, days=28, topics=TOPICS,
        chunk_posts=12_000,
    )  # fmt: skip
    assert _files(other) != first


def test_sizes_unique_ids_and_the_layout(small_lake: tuple[Path, GenerateReport]) -> None:
    lake, report = small_lake
    posts, matches = read_lake(lake)
    assert report.posts == posts.num_rows == LAKE_POSTS
    assert pc.count_distinct(posts["id"]).as_py() == LAKE_POSTS
    assert report.matches == matches.num_rows > 0
    assert report.days == 28
    platform_dirs = {p.name for p in (lake / "posts").iterdir()}
    assert platform_dirs == {"platform=twitter"}
    day_dirs = sorted(p.name for p in (lake / "posts" / "platform=twitter").iterdir())
    assert day_dirs[0] == "day=2025-01-01" and day_dirs[-1] == "day=2025-01-28"
    # A file holds no partition column; a post sits in the partition of its UTC day.
    import pyarrow.parquet as pq

    some = next((lake / "posts" / "platform=twitter" / "day=2025-01-05").glob("*.parquet"))
    table = pq.read_table(some, partitioning=None)
    assert "platform" not in table.column_names and "day" not in table.column_names
    days = pc.cast(table["created_at"], pa.date32()).to_pylist()
    assert {d.isoformat() for d in days} == {"2025-01-05"}


def test_matches_are_what_the_matcher_says_of_each_generated_post(
    small_lake: tuple[Path, GenerateReport], lake_store: Path
) -> None:
    lake, _ = small_lake
    posts, matches = read_lake(lake)
    sample = posts.slice(0, 3000)
    matcher = compile_topics({t.name: t.query for t in TOPICS})
    expected = matcher.match_batch(sample).to_pylist()
    ids = set(sample["id"].to_pylist())
    carried = [
        {"post_id": m["post_id"], "topic": m["topic"]}
        for m in matches.to_pylist()
        if m["post_id"] in ids
    ]
    assert len(expected) > 50
    assert sorted(carried, key=str) == sorted(expected, key=str)
    # And for every post: the store matched them itself when the topics were added.
    store = Store(str(lake_store), read_only=True)
    stored = store.query("SELECT post_id, topic FROM matches ORDER BY ALL").to_pylist()
    store.close()
    assert stored == [{"post_id": m["post_id"], "topic": m["topic"]} for m in matches.to_pylist()]


def test_sentiment_is_the_fast_tier_of_each_real_text(
    small_lake: tuple[Path, GenerateReport],
) -> None:
    posts, _ = read_lake(small_lake[0])
    sample = posts.filter(pc.equal(posts["lang"], "en")).slice(0, 500)
    labels, scores = classify(sample["text"].to_pylist(), "fast")
    assert sample["sentiment"].to_pylist() == labels
    assert np.allclose(sample["sentiment_score"].to_numpy(), np.round(scores, 4))
    assert set(sample["sentiment_model"].to_pylist()) == {"hubbub-sentiment-fast-2"}


def _hours(posts: pa.Table) -> np.ndarray:
    return np.asarray(pc.cast(posts["created_at"], pa.int64()).to_numpy())


def test_daily_and_weekly_cycles_follow_the_real_timestamps(
    source_table: pa.Table, small_lake: tuple[Path, GenerateReport]
) -> None:
    lake, report = small_lake
    posts, _ = read_lake(lake)
    real = np.asarray(pc.cast(source_table["created_at"], pa.int64()).to_numpy())
    expected = week_profile(real)
    stamps = _hours(posts)
    # Leave out the two days after each burst's start: bursts are the exceptions to the cycle.
    quiet = np.ones(len(stamps), bool)
    for burst in report.bursts:
        start = int(burst.start.timestamp()) * 1_000_000
        quiet &= ~((stamps >= start) & (stamps < start + 2 * 86_400_000_000))
    got = np.bincount(hour_of_week(stamps[quiet]), minlength=168).astype(float)
    # Hour of day: the generated share of each hour follows the real one closely.
    by_hour_real = expected.reshape(7, 24).sum(axis=0)
    by_hour_got = got.reshape(7, 24).sum(axis=0)
    assert np.corrcoef(by_hour_real, by_hour_got)[0, 1] > 0.9
    assert by_hour_got.max() > 1.5 * by_hour_got.min()  # a real daily cycle, not flat
    by_day_real = expected.reshape(7, 24).sum(axis=1)
    by_day_got = got.reshape(7, 24).sum(axis=1)
    assert np.corrcoef(by_day_real, by_day_got)[0, 1] > 0.5


def test_bursts_are_spikes_of_their_topic(small_lake: tuple[Path, GenerateReport]) -> None:
    lake, report = small_lake
    posts, matches = read_lake(lake)
    assert len(report.bursts) >= 2
    hour_of = dict(
        zip(posts["id"].to_pylist(), (_hours(posts) // 3_600_000_000).tolist(), strict=True)
    )
    for burst in report.bursts:
        assert burst.topic is not None and burst.posts > 0
        hours = [hour_of[m["post_id"]] for m in matches.to_pylist() if m["topic"] == burst.topic]
        counts = np.bincount(np.array(hours) - min(hours))
        start = int(burst.start.timestamp()) // 3600 - min(hours)
        assert counts[start : start + 3].max() > 4 * max(np.median(counts), 1)


def test_authors_are_heavy_tailed(small_lake: tuple[Path, GenerateReport]) -> None:
    posts, _ = read_lake(small_lake[0])
    per_author = np.sort(
        np.asarray(posts.group_by("author_id").aggregate([("id", "count")])["id_count"])
    )[::-1]
    top = per_author[: max(1, len(per_author) // 100)].sum()
    assert top > 0.1 * LAKE_POSTS  # the top 1% of accounts write over a tenth of the posts
    assert np.median(per_author) < 0.5 * per_author.mean()  # skewed: most write little
    assert per_author[-1] <= 3  # and a long tail of occasional ones


def test_bad_input_is_a_clear_error(source_table: pa.Table, tmp_path: Path) -> None:
    with pytest.raises(HubbubError, match="at least 1"):
        generate(source_table, tmp_path / "a", posts=0)
    lake = tmp_path / "b"
    generate(source_table, lake, posts=100, days=3)
    with pytest.raises(HubbubError, match="already holds posts"):
        generate(source_table, lake, posts=100, days=3)


def test_the_generate_command(source_store: Path, tmp_path: Path) -> None:
    import orjson
    import yaml
    from typer.testing import CliRunner

    from hubbub.cli import app

    topics = tmp_path / "topics.yaml"
    topics.write_text(yaml.safe_dump([t.__dict__ for t in TOPICS]), encoding="utf-8")
    lake = tmp_path / "lake"
    args = ["generate", "--from", str(source_store), "--posts", "2000", "--seed", "4"]
    result = CliRunner().invoke(app, [*args, "--lake", str(lake), "--topics", str(topics)])
    assert result.exit_code == 0, result.output
    assert "2,000 posts (4,000 real posts resampled)" in result.output
    posts, matches = read_lake(lake)
    assert posts.num_rows == 2000 and matches.num_rows > 0
    again = CliRunner().invoke(app, [*args, "--lake", str(tmp_path / "b"), "--json", "--days", "7"])
    report = orjson.loads(again.output)
    assert report["posts"] == 2000 and report["days"] == 7 and report["matches"] == 0


def test_the_generate_command_explains_bad_input(tmp_path: Path) -> None:
    from tests.core.helpers import run_cli

    missing = run_cli(
        "generate", "--from", tmp_path / "nope.ndjson", "--posts", "5", "--lake", tmp_path / "x"
    )
    assert missing.returncode == 2
    assert "no such file" in missing.stderr and "hint:" in missing.stderr
    assert "Traceback" not in missing.stderr
    bad_topics = tmp_path / "t.yaml"
    bad_topics.write_text("- name: a\n  query: 'nike AND'\n", encoding="utf-8")
    posts = tmp_path / "p.ndjson"
    posts.write_text('{"id": "x:1", "created_at": "2020-01-01T00:00:00Z", "text": "nike"}\n')
    broken = run_cli(
        "generate", "--from", posts, "--posts", "5", "--lake", tmp_path / "l",
        "--topics", bad_topics,
    )  # fmt: skip
    assert broken.returncode == 2 and "topic 'a'" in broken.stderr, broken.stderr
    assert "Traceback" not in broken.stderr


def test_topics_files_and_the_lake_marker(
    small_lake: tuple[Path, GenerateReport], tmp_path: Path
) -> None:
    import orjson

    from hubbub.lake.topics_file import load_topics_file

    listed = tmp_path / "a.yaml"
    listed.write_text("topics:\n  - {name: nike, query: nike, group: brands}\n", encoding="utf-8")
    mapping = tmp_path / "b.json"
    mapping.write_text('{"nike": "nike OR #justdoit"}', encoding="utf-8")
    assert [(t.name, t.group) for t in load_topics_file(listed)] == [("nike", "brands")]
    assert [(t.name, t.query) for t in load_topics_file(mapping)] == [("nike", "nike OR #justdoit")]
    twice = tmp_path / "c.yaml"
    twice.write_text("- {name: a, query: x}\n- {name: a, query: y}\n", encoding="utf-8")
    with pytest.raises(HubbubError, match="names appear twice"):
        load_topics_file(twice)
    with pytest.raises(HubbubError, match="cannot read the topics file"):
        load_topics_file(tmp_path / "missing.yaml")
    # The marker every hubbub lake writer (export, Spark, generate) writes.
    marker = orjson.loads((small_lake[0] / "_hubbub_lake.json").read_bytes())
    assert marker == {"layout": "hubbub-lake", "version": 1}

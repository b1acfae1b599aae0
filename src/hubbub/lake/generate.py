"""A benchmark lake of any size, resampled from real posts, deterministic by seed.

    report = generate(load_source_posts(["tweets.ndjson"]), "lake/", posts=10_000_000, seed=7,
                      topics=load_topics_file("topics.yaml"))

What is resampled and what is drawn:

- texts (with title, language, entities and their fast-tier sentiment) are real posts, drawn
  uniformly; each distinct source post is matched against the topics once and its topics are
  carried to every copy, so matches are exactly what the matcher says about that text;
- time: a UTC hour-of-week profile measured on the source's own timestamps (its daily and
  weekly cycle), a slow upward trend, and a few bursts (hours where one topic's posts surge and
  decay over hours), spread over `days` days from `start`;
- authors: a Zipf-like activity distribution (few very active accounts, a long tail of
  occasional ones) with handles derived from the source's real handles and heavy-tailed
  follower counts; engagement grows with the author's audience.

Posts are made in fixed-size chunks, each from its own random stream (seed, chunk number), so
the output is byte-identical for a seed whatever the number of worker processes, and memory
stays bounded by one chunk per worker. Each chunk is sorted by time and written straight to the
lake layout (`lake.layout`) with its matches and its rollup rows (`lake.rollups`).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hubbub.errors import HubbubError
from hubbub.lake import rollups
from hubbub.lake.layout import LAYOUT_VERSION, MARKER, MATCHES, POSTS
from hubbub.lake.topics_file import TopicSpec
from hubbub.model import POST_SCHEMA

IntArray = npt.NDArray[np.int64]

#: Posts per chunk. Part of what a seed means: the same seed and chunk size give the same bytes.
CHUNK_POSTS: Final = 1 << 20
MAPPING_VERSION: Final = "generate/1"
DEFAULT_START: Final = date(2025, 1, 1)
_HOUR_US: Final = 3_600_000_000
_DAY_US: Final = 24 * _HOUR_US
_MIN_PROFILE_POSTS: Final = 2_000  # fewer source timestamps than this: use the built-in cycle
_AUTHOR_EXPONENT: Final = 0.8  # activity of the author of rank r is proportional to (r+1)^-0.8
#: Post files: every Post field but the partition column, then the sentiment columns.
LAKE_POST_SCHEMA: Final = pa.schema(
    [f for f in POST_SCHEMA if f.name != "platform"]
    + [
        pa.field("sentiment", pa.string()),
        pa.field("sentiment_score", pa.float64()),
        pa.field("sentiment_model", pa.string()),
    ]
)
MATCH_FILE_SCHEMA: Final = pa.schema(
    [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
        pa.field("matched_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)
_KEPT_FROM_SOURCE: Final = (
    "kind", "title", "text", "lang", "country", "hashtags", "mentions", "links", "domains",
    "media_count", "sentiment", "sentiment_score", "sentiment_model",
)  # fmt: skip


@dataclass
class Burst:
    start: datetime
    topic: str | None  # the topic whose posts surge (None: a random slice of the source)
    posts: int


@dataclass
class GenerateReport:
    lake: str
    posts: int
    matches: int
    days: int
    files: int
    seconds: float
    source_posts: int
    bursts: list[Burst] = field(default_factory=list)


def hour_of_week(us: IntArray) -> IntArray:
    """0..167, Monday 00:00 UTC = 0 (1970-01-01 was a Thursday)."""
    days = us // _DAY_US
    return ((days + 3) % 7) * 24 + (us % _DAY_US) // _HOUR_US


def week_profile(created_us: IntArray) -> npt.NDArray[np.float64]:
    """Relative volume of each UTC hour of the week, from real timestamps (smoothed)."""
    if len(created_us) < _MIN_PROFILE_POSTS:
        hours = np.arange(168) % 24
        # A typical listening curve: trough before dawn, peak in the evening (UTC, US-heavy).
        daily = 1.0 + 0.6 * np.cos((hours - 20) / 24 * 2 * np.pi)
        weekend = np.where(np.arange(168) >= 5 * 24, 0.85, 1.0)
        return np.asarray(daily * weekend / (daily * weekend).mean())
    counts = np.bincount(hour_of_week(created_us), minlength=168).astype(np.float64)
    # Smooth with the neighbouring hours (circularly) so a quiet sample hour is not a hole.
    smooth = 0.5 * counts + 0.25 * np.roll(counts, 1) + 0.25 * np.roll(counts, -1)
    smooth += 0.05 * smooth.mean()
    return np.asarray(smooth / smooth.mean())


@dataclass
class _Plan:
    """Everything every chunk needs, built once (workers inherit it by fork)."""

    lake: Path
    seed: int
    total: int
    chunk_posts: int
    start_us: int
    source: pa.Table  # the columns copied from source posts
    platforms: pa.Array  # platform of each source post
    cell_ends: IntArray  # cumulative posts per (hour, component) cell
    components: int  # 1 + number of bursts
    burst_rows: list[IntArray]
    author_cdf: npt.NDArray[np.float64]
    followers: IntArray
    handles: pa.Array  # distinct real handles the generated ones derive from
    match_offsets: IntArray  # CSR: topics of source post i are topic_index[off[i]:off[i+1]]
    match_topics: IntArray
    topic_names: pa.Array


_PLAN: _Plan | None = None


def _match_csr(
    source: pa.Table, topics: Sequence[TopicSpec]
) -> tuple[IntArray, IntArray, pa.Array]:
    """Each source post's topics (indexes into the sorted names), matched once per post."""
    n = source.num_rows
    if not topics:
        return np.zeros(n + 1, np.int64), np.zeros(0, np.int64), pa.array([], pa.string())
    from hubbub.query import compile_topics

    matcher = compile_topics({t.name: t.query for t in topics})
    indexed = source.set_column(
        source.column_names.index("id"), "id", pa.array(np.arange(n).astype(str))
    )
    pairs = matcher.match_batch(indexed)  # in post order, then topic name order
    rows = pc.cast(pairs.column("post_id"), pa.int64()).to_numpy()
    order = {name: i for i, name in enumerate(matcher.names)}
    topic_index = np.array([order[t] for t in pairs.column("topic").to_pylist()], np.int64)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
    return offsets, topic_index, pa.array(matcher.names, pa.string())


def _bursts(
    rng: np.random.Generator,
    hours: int,
    base: npt.NDArray[np.float64],
    offsets: IntArray,
    topic_index: IntArray,
    names: list[str],
    sources: int,
) -> tuple[npt.NDArray[np.float64], list[IntArray], list[tuple[int, str | None]]]:
    """Extra weight per hour for each burst, the source posts each draws from, and what it is."""
    count = max(2, hours // (24 * 45))
    per_topic = np.bincount(topic_index, minlength=len(names))
    eligible = np.flatnonzero(per_topic >= 5)
    weights = np.zeros((hours, count))
    rows: list[IntArray] = []
    what: list[tuple[int, str | None]] = []
    span = np.arange(hours)
    for b in range(count):
        start = int(rng.integers(0, max(1, hours - 24)))
        peak, decay = rng.uniform(6, 15), rng.uniform(2, 8)  # x the usual hour, hours
        after = span - start
        weights[:, b] = np.where(
            after >= 0, peak * base.mean() * np.exp(-np.maximum(after, 0) / decay), 0.0
        )
        weights[after > 6 * decay, b] = 0.0
        if len(eligible):
            topic = int(rng.choice(eligible))
            posts = np.repeat(np.arange(sources), np.diff(offsets))
            rows.append(posts[topic_index == topic])
            what.append((start, names[topic]))
        else:
            rows.append(np.sort(rng.choice(sources, max(1, sources // 200), replace=False)))
            what.append((start, None))
    return weights, rows, what


def plan(
    source: pa.Table,
    lake: Path,
    *,
    posts: int,
    seed: int,
    days: int,
    start: date,
    topics: Sequence[TopicSpec],
    chunk_posts: int = CHUNK_POSTS,
) -> tuple[_Plan, list[Burst]]:
    rng = np.random.default_rng([seed, 1 << 30])  # the plan's stream; chunks have their own
    hours = days * 24
    start_us = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()) * 10**6
    created = source.column("created_at").cast(pa.int64()).to_numpy(zero_copy_only=False)
    profile = week_profile(np.asarray(created, np.int64))
    absolute = start_us + np.arange(hours, dtype=np.int64) * _HOUR_US
    base = profile[hour_of_week(absolute)] * (1.0 + 0.3 * np.arange(hours) / hours)
    offsets, topic_index, names = _match_csr(source, topics)
    extra, burst_rows, what = _bursts(
        rng, hours, base, offsets, topic_index, names.to_pylist(), source.num_rows
    )
    weights = np.column_stack([base, extra])
    cells = rng.multinomial(posts, (weights / weights.sum()).ravel())
    authors = max(100, posts // 20)
    activity = (np.arange(authors) + 1.0) ** -_AUTHOR_EXPONENT
    cdf = np.cumsum(activity)
    cdf /= cdf[-1]
    followers = np.minimum((rng.pareto(1.2, authors) + 1) * 50, 1e8).astype(np.int64)
    handles = pc.unique(pc.drop_null(source.column("author_handle").combine_chunks()))
    handles = handles.sort() if len(handles) else pa.array(["user"])
    per_burst = cells.reshape(hours, -1)[:, 1:].sum(axis=0)
    bursts = [
        Burst(datetime.fromtimestamp((start_us + h * _HOUR_US) / 1e6, UTC), topic, int(n))
        for (h, topic), n in zip(what, per_burst.tolist(), strict=True)
    ]
    return (
        _Plan(
            lake=lake,
            seed=seed,
            total=posts,
            chunk_posts=chunk_posts,
            start_us=start_us,
            source=source.select(list(_KEPT_FROM_SOURCE)),
            platforms=source.column("platform").combine_chunks(),
            cell_ends=np.cumsum(cells),
            components=weights.shape[1],
            burst_rows=burst_rows,
            author_cdf=cdf,
            followers=followers,
            handles=handles,
            match_offsets=offsets,
            match_topics=topic_index,
            topic_names=names,
        ),
        bursts,
    )


def _strings(values: IntArray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    # A big dictionary page keeps resampled texts dictionary-encoded (each is stored once).
    pq.write_table(table, tmp, compression="zstd", dictionary_pagesize_limit=1 << 25)
    tmp.replace(path)


def _chunk(number: int) -> tuple[pa.Table, int, int]:
    """Make, write and roll up chunk `number`: (rollup rows, matches, files written)."""
    p = _PLAN
    assert p is not None
    rng = np.random.default_rng([p.seed, number])
    first = number * p.chunk_posts
    n = min(p.chunk_posts, p.total - first)
    cell = np.searchsorted(p.cell_ends, np.arange(first, first + n), side="right")
    hour, component = cell // p.components, cell % p.components
    created = p.start_us + hour * _HOUR_US + rng.integers(0, _HOUR_US, n)
    src = rng.integers(0, p.source.num_rows, n)
    for b, rows in enumerate(p.burst_rows, start=1):
        mask = component == b
        src[mask] = rows[rng.integers(0, len(rows), int(mask.sum()))]
    author = np.searchsorted(p.author_cdf, rng.random(n), side="right")
    author = np.minimum(author, len(p.followers) - 1)
    audience = p.followers[author]
    base = np.sqrt(audience + 1.0) * rng.lognormal(-1.5, 1.0, n)
    likes = base.astype(np.int64)
    replies = (base * 0.1 * rng.random(n)).astype(np.int64)
    reposts = (base * 0.3 * rng.random(n)).astype(np.int64)
    quotes = (base * 0.05 * rng.random(n)).astype(np.int64)
    collected = created + rng.integers(60_000_000, 6 * _HOUR_US, n)
    order = np.argsort(created, kind="stable")
    created, collected, src, author = created[order], collected[order], src[order], author[order]
    likes, replies, reposts, quotes = likes[order], replies[order], reposts[order], quotes[order]

    take = pa.array(src)
    platform = p.platforms.take(take)
    native = pc.binary_join_element_wise(
        f"g{p.seed}-", _strings(np.arange(first, first + n, dtype=np.int64)), ""
    )
    ids = pc.binary_join_element_wise(platform, native, ":")
    spread = len(p.handles)
    base_handle = p.handles.take(pa.array(author % spread))
    handle = pc.if_else(
        pa.array(author < spread),
        base_handle,
        pc.binary_join_element_wise(base_handle, _strings(author // spread), "_"),
    )
    ts = pa.timestamp("us", tz="UTC")
    copied = p.source.take(take)
    columns: dict[str, Any] = {
        "id": ids,
        "native_id": native,
        "url": pa.nulls(n, pa.string()),
        "created_at": pa.array(created, ts),
        "collected_at": pa.array(collected, ts),
        "parent_id": pa.nulls(n, pa.string()),
        "root_id": pa.nulls(n, pa.string()),
        "author_id": pc.binary_join_element_wise("g", _strings(author), ""),
        "author_handle": handle,
        "author_name": handle,
        "author_followers": pa.array(p.followers[author]),
        "author_verified": pa.array(p.followers[author] >= 100_000),
        "likes": pa.array(likes),
        "replies": pa.array(replies),
        "reposts": pa.array(reposts),
        "quotes": pa.array(quotes),
        "views": pa.nulls(n, pa.int64()),
        "raw_ref": pa.nulls(n, pa.string()),
        "mapping_version": pa.repeat(pa.scalar(MAPPING_VERSION), n),
    }
    for name in _KEPT_FROM_SOURCE:
        columns[name] = copied.column(name)
    posts = pa.table({f.name: columns[f.name] for f in LAKE_POST_SCHEMA}).cast(LAKE_POST_SCHEMA)

    counts = p.match_offsets[src + 1] - p.match_offsets[src]
    owner = np.repeat(np.arange(n), counts)
    starts = np.cumsum(counts) - counts
    within = np.arange(len(owner)) - np.repeat(starts, counts)
    topic = p.match_topics[p.match_offsets[src][owner] + within]
    matches = pa.table(
        {
            "post_id": ids.take(pa.array(owner)),
            "topic": p.topic_names.take(pa.array(topic)),
            "matched_at": pa.array(collected[owner], ts),
        },
        schema=MATCH_FILE_SCHEMA,
    )

    day = created // _DAY_US
    files = 0
    part = f"part-{p.seed}-{number:05d}.parquet"
    bounds = np.flatnonzero(np.diff(day)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        iso = date.fromordinal(date(1970, 1, 1).toordinal() + int(day[lo])).isoformat()
        day_posts = posts.slice(lo, hi - lo)
        day_platforms = platform.slice(lo, hi - lo)
        for name in pc.unique(day_platforms).to_pylist():
            mine = day_posts.filter(pc.equal(day_platforms, name))
            _write(mine, p.lake / POSTS / f"platform={name}" / f"day={iso}" / part)
            files += 1
            m_lo, m_hi = np.searchsorted(owner, [lo, hi])
            day_matches = matches.slice(m_lo, m_hi - m_lo)
            match_platforms = day_platforms.take(pa.array(owner[m_lo:m_hi] - lo))
            theirs = day_matches.filter(pc.equal(match_platforms, name))
            if theirs.num_rows:
                _write(theirs, p.lake / MATCHES / f"platform={name}" / f"day={iso}" / part)
                files += 1

    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")  # one chunk per core: the pool is the parallelism
        framed = posts.append_column("platform", platform).append_column(
            "day", pc.cast(pa.array(created, ts), pa.date32())
        )
        con.register("chunk_posts", framed)
        con.register("chunk_matches", matches.select(["post_id", "topic"]))
        rolled = con.sql(rollups.aggregate_sql("chunk_posts", "chunk_matches")).to_arrow_table()
    finally:
        con.close()
    return rolled, matches.num_rows, files


def _write_marker(lake: Path) -> None:
    lake.mkdir(parents=True, exist_ok=True)
    # The same bytes as every hubbub lake writer's marker (lake export, the Spark job).
    marker = {"layout": "hubbub-lake", "version": LAYOUT_VERSION}
    (lake / MARKER).write_bytes(orjson.dumps(marker) + b"\n")


def generate(
    source: pa.Table,
    lake: Path | str,
    *,
    posts: int,
    seed: int = 0,
    days: int = 365,
    start: date = DEFAULT_START,
    topics: Sequence[TopicSpec] = (),
    workers: int = 1,
    chunk_posts: int = CHUNK_POSTS,
) -> GenerateReport:
    """Write `posts` resampled posts (and their matches and rollups) to an empty lake `lake`."""
    global _PLAN
    began = time.perf_counter()
    lake = Path(lake)
    if posts < 1:
        raise HubbubError(f"--posts must be at least 1, got {posts}", "e.g. --posts 1000000")
    if days < 1:
        raise HubbubError(f"--days must be at least 1, got {days}", "e.g. --days 365")
    if (lake / POSTS).exists() and any((lake / POSTS).iterdir()):
        raise HubbubError(
            f"{lake} already holds posts", "generate into a new directory (or delete this one)"
        )
    _write_marker(lake)
    _PLAN, bursts = plan(
        source, lake, posts=posts, seed=seed, days=days, start=start, topics=topics,
        chunk_posts=chunk_posts,
    )  # fmt: skip
    chunks = range((posts + chunk_posts - 1) // chunk_posts)
    try:
        if workers > 1 and len(chunks) > 1:
            with multiprocessing.get_context("fork").Pool(min(workers, len(chunks))) as pool:
                results = pool.map(_chunk, chunks, chunksize=1)
        else:
            results = [_chunk(c) for c in chunks]
    finally:
        _PLAN = None
    rolled = pa.concat_tables([r[0] for r in results])
    written_days = rollups.write_all(lake, rolled)
    return GenerateReport(
        lake=str(lake),
        posts=posts,
        matches=sum(r[1] for r in results),
        days=written_days,
        files=sum(r[2] for r in results) + written_days,
        seconds=round(time.perf_counter() - began, 2),
        source_posts=source.num_rows,
        bursts=bursts,
    )

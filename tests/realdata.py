"""Real posts from ../shared/data as Post records, for tests and benchmarks.

Texts, tweet ids and timestamps are real (SemEval 2013-2016 Twitter sets; the timestamp comes
from the tweet id's snowflake bits). Engagement counts and author ids are not in that data; they
are drawn from a seeded generator so that runs are repeatable.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

_TWITTER_EPOCH_MS = 1288834974657


def snowflake_time(tweet_id: int) -> datetime:
    return datetime.fromtimestamp(((tweet_id >> 22) + _TWITTER_EPOCH_MS) / 1000, UTC)


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    # The pool stores literal escapes such as \u2019 and \u002c.
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def semeval_tweets(shared_data: Path) -> Iterator[tuple[int, str, str]]:
    """(tweet_id, label, text) of the SemEval pool, in file order."""
    for path in sorted((shared_data / "semeval2017_task4A_trainpool").glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0].isdigit():
                yield int(parts[0]), parts[1], _unescape(parts[2].strip('"'))


def post_records(
    shared_data: Path, limit: int | None = None, seed: int = 7
) -> list[dict[str, object]]:
    """Real tweets as hubbub Post records (our NDJSON schema)."""
    rng = random.Random(seed)
    seen: set[int] = set()
    posts: list[dict[str, object]] = []
    for tweet_id, _label, text in semeval_tweets(shared_data):
        if tweet_id in seen:
            continue
        seen.add(tweet_id)
        author = rng.randrange(20_000)
        posts.append(
            {
                "id": f"twitter:{tweet_id}",
                "url": f"https://twitter.com/i/web/status/{tweet_id}",
                "created_at": snowflake_time(tweet_id).isoformat().replace("+00:00", "Z"),
                "kind": "post",
                "author_id": str(author),
                "author_handle": f"user{author}",
                "author_followers": int(rng.paretovariate(1.2) * 50),
                "text": text,
                "likes": rng.randrange(50),
                "replies": rng.randrange(5),
                "reposts": rng.randrange(20),
                "quotes": rng.randrange(3),
                "lang": "en",
            }
        )
        if limit is not None and len(posts) >= limit:
            break
    return posts


def write_ndjson(path: Path, records: list[dict[str, object]], repeat: int = 1) -> int:
    """Write records as NDJSON; with repeat > 1, copies get fresh ids (for volume). Returns lines."""
    lines = 0
    with path.open("wb") as out:
        for copy in range(repeat):
            for record in records:
                if copy:
                    record = {**record, "id": f"{record['id']}-{copy}"}
                out.write(orjson.dumps(record) + b"\n")
                lines += 1
    return lines


def crisislex_events(shared_data: Path) -> Iterator[tuple[str, str, list[datetime]]]:
    """(event, development, sorted tweet timestamps) of each CrisisLex T26 event with timestamps."""
    base = shared_data / "corpus" / "crisislex_t26"
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        ids = folder / f"{folder.name}-tweetids_entire_period.csv"
        description = next(folder.glob("*event_description.json"), None)
        if not ids.exists() or description is None:
            continue
        development = orjson.loads(description.read_bytes())["time"]["development"]
        stamps = sorted(
            datetime.strptime(line.split(",")[0].strip().strip('"'), "%a %b %d %H:%M:%S %z %Y")
            for line in ids.read_text(encoding="utf-8").splitlines()[1:]
            if line.strip()
        )
        yield folder.name, development, stamps


def hourly_counts(stamps: list[datetime]) -> tuple[list[datetime], list[int]]:
    """Zero-filled tweets per UTC hour from the first to the last timestamp."""
    from collections import Counter
    from datetime import timedelta

    hours = Counter(t.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for t in stamps)
    first, last = min(hours), max(hours)
    span = int((last - first).total_seconds() // 3600) + 1
    starts = [first + timedelta(hours=i) for i in range(span)]
    return starts, [hours.get(h, 0) for h in starts]


def data_onset(starts: list[datetime], counts: list[int], share: float = 0.1) -> datetime:
    """The first hour whose volume reaches `share` of the event's peak hour: where a person
    looking at the chart would mark the start of the burst (sudden) or build-up (progressive)."""
    peak = max(counts)
    return next(h for h, n in zip(starts, counts, strict=True) if n >= share * peak)


#: The six airlines of the Twitter US Airline Sentiment corpus, as topic name -> handle.
AIRLINES = {
    "united": "@united",
    "jetblue": "@jetblue",
    "southwest": "@southwestair",
    "american": "@americanair",
    "usairways": "@usairways",
    "virgin": "@virginamerica",
}
#: How that corpus's CSV columns map onto Post fields (tests add reposts or sentiment).
AIRLINE_MAPPING = {
    "native_id": "tweet_id",
    "text": "text",
    "created_at": "tweet_created",
    "author_handle": "name",
}
AIRLINE_REPOSTS = {**AIRLINE_MAPPING, "reposts": "retweet_count"}
AIRLINE_LABELLED = {**AIRLINE_MAPPING, "sentiment": "airline_sentiment"}

#: A keyword classifier for the corpus's `negativereason` labels (lower-cased, as hubbub reads
#: labels): the baseline a trained reason model must beat. Written from the label names and a
#: read of the reasons' wording, as a support analyst would write it.
AIRLINE_REASON_KEYWORDS = {
    "late flight": ["late", "delay*", "hours", "still waiting", "on time", "tarmac", "sitting"],
    "cancelled flight": ["cancel*", "rebook*"],
    "lost luggage": ["lost", "bag", "bags", "luggage", "baggage", "missing", "find my"],
    "damaged luggage": ["damaged", "broken", "broke", "ripped", "torn", "destroyed"],
    "customer service issue": [
        "customer service", "hold", "on hold", "call*", "phone", "agent*", "rep", "service",
        "rude", "answer*", "response", "help", "hung up",
    ],
    "flight booking problems": [
        "book*", "reservation*", "website", "site", "online", "ticket*", "confirm*", "fee*",
    ],
    "flight attendant complaints": ["attendant*", "crew", "staff", "stewardess", "fa"],
    "longlines": ["line", "lines", "queue", "security", "check in", "checkin", "counter"],
    "bad flight": ["seat*", "wifi", "food", "entertainment", "legroom", "dirty", "smell*", "tv", "cold", "hot"],
}
AIRLINE_REASON_FALLBACK = "can't tell"

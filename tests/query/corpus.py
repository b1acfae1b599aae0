"""The query corpus: real airline tweets, and queries covering every operator and field.

The queries, their expected counts and the invalid queries with their error positions live in
corpus.json. `python -m tests.query.corpus` recomputes the counts with the reference evaluator
(a change of meaning shows up as a diff to review); test_corpus.py holds all back ends to those
counts and checks many queries against independent oracles written without hubbub's tokenizer.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORPUS = HERE / "corpus.json"
_LINK = re.compile(r"https?://\S+")


def airline_posts(shared_data: Path, limit: int = 3000) -> list[dict[str, Any]]:
    """Real tweets about US airlines; links, domains and the reply kind come from the text."""
    path = shared_data / "corpus" / "twitter_us_airline_sentiment" / "Tweets_part_shared.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[::4][:limit]  # every 4th: all six airlines
    posts = []
    for i, r in enumerate(rows):
        links = _LINK.findall(r["text"])
        posts.append(
            {
                "id": f"twitter:{i}",
                "text": r["text"],
                "title": None,
                "author_handle": r["name"],
                "links": links,
                "domains": [
                    re.sub(r"^https?://(www\.)?", "", u).split("/")[0].lower() for u in links
                ],
                "url": f"https://twitter.com/{r['name']}/status/{r['tweet_id']}",
                "lang": "en",
                "country": "US" if i % 3 else None,
                "platform": "twitter",
                "kind": "reply" if r["text"].startswith("@") and i % 2 else "post",
                "author_verified": i % 10 == 0,
                "author_followers": (i * 37) % 5000,
                "likes": i % 11,
                "replies": i % 3,
                "reposts": int(r["retweet_count"] or 0),
                "quotes": 0,
            }
        )
    return posts


def write_corpus(data: dict[str, Any]) -> None:
    """One entry per line, so that a change of meaning is a one-line diff."""
    lines = ["{", f' "about": {json.dumps(data["about"])},']
    for key in ("valid", "invalid"):
        entries = [json.dumps(e, ensure_ascii=False) for e in data[key]]
        lines.append(f' "{key}": [')
        lines.extend(f"  {e}," for e in entries[:-1])
        lines.append(f"  {entries[-1]}")
        lines.append(" ]," if key == "valid" else " ]")
    CORPUS.write_text("\n".join([*lines, "}"]) + "\n", encoding="utf-8")


_DATA: dict[str, Any] = json.loads(CORPUS.read_text(encoding="utf-8"))
#: Valid queries, each with what it covers and how many of `airline_posts` it matches.
QUERIES: list[str] = [e["query"] for e in _DATA["valid"]]
EXPECTED_COUNTS: dict[str, int] = {e["query"]: e["count"] for e in _DATA["valid"]}
#: (query, line, column, part of the message)
INVALID: list[tuple[str, int, int, str]] = [
    (e["query"], e["line"], e["column"], e["message"]) for e in _DATA["invalid"]
]


def main() -> None:
    import sys

    from hubbub.query import evaluate, parse

    shared = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[3] / "shared" / "data"
    )
    posts = airline_posts(shared)
    for entry in _DATA["valid"]:
        node = parse(entry["query"])
        entry["count"] = sum(1 for p in posts if evaluate(node, p))
    write_corpus(_DATA)
    print(f"wrote {len(QUERIES)} expected counts to {CORPUS}")


if __name__ == "__main__":
    main()

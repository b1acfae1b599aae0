"""The query corpus: real airline tweets, and queries covering every operator and field.

`python -m tests.query.corpus` rewrites expected_counts.json from the reference evaluator; the
test then holds all three back ends to those counts (a change of meaning shows up as a diff), and
test_corpus.py checks a third of them against independent regular-expression oracles.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
EXPECTED = HERE / "expected_counts.json"
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


QUERIES: list[str] = [
    # terms, case and accent folding, whole words
    "delayed",
    "Delayed",
    "DELAYED",
    "cancelled",
    "canceled",
    "flight",
    "flights",
    "fleek",
    "luggage",
    "bag",
    "bags",
    "thanks",
    "thank",
    "worst",
    "best",
    "customer",
    "service",
    "crew",
    "seat",
    "seats",
    "hold",
    "hour",
    "hours",
    "refund",
    "united",
    "delta",
    "jetblue",
    "southwest",
    "usairways",
    "americanair",
    "virginamerica",
    "cafe",
    "naive",
    "ppl",
    "lol",
    "dm",
    "hrs",
    "ua",
    "aa",
    "rebooked",
    # wildcards
    "delay*",
    "cancel*",
    "refund*",
    "flight*",
    "thank*",
    "luggag?",
    "se?t",
    "se?ts",
    "bag?",
    "serv*ce",
    "hr?",
    "reb??k*",
    "usairway*",
    "jet*",
    "lo?t",
    # phrases and proximity
    '"customer service"',
    '"on hold"',
    '"thank you"',
    '"cancelled flightled"',
    '"late flight"',
    '"no one"',
    '"worst airline"',
    '"best airline"',
    '"hold for"',
    '"my bag"',
    '"customer service"~2',
    '"flight delayed"~3',
    '"bag lost"~2',
    '"hours hold"~3',
    '"service customer"~0',
    '"thank you so much"',
    '"you guys"',
    '"on time"',
    '"gate agent"',
    '"gate agents"~1',
    # NEAR
    "flight NEAR/3 delayed",
    "flight NEAR/3f delayed",
    "delayed NEAR/3f flight",
    "bag NEAR/2 lost",
    "(bag OR bags OR luggage) NEAR/3 lost",
    "hold NEAR/5 hour*",
    "customer NEAR/0 service",
    "service NEAR/0f customer",
    "refund NEAR/4 (ticket OR tickets)",
    "(thank OR thanks) NEAR/2 crew",
    # exact case
    "{AA}",
    "{aa}",
    "{DM}",
    "{dm}",
    "{United}",
    "{JetBlue}",
    "{Thank}",
    "{USAirways}",
    # hashtags and mentions
    "#fail",
    "#neveragain",
    "#customerservice",
    "#unitedairlines",
    "#jetblue",
    "@united",
    "@jetblue",
    "@southwestair",
    "@usairways",
    "@americanair",
    "@virginamerica",
    "@deltaassist",
    "fail",
    "neveragain",
    # comments
    "delayed <<<late flights>>>",
    "<<<bags>>> luggage OR bag",
    # boolean
    "delayed AND cancelled",
    "delayed OR cancelled",
    "delayed NOT cancelled",
    "NOT delayed",
    "@united AND bag*",
    "(@united OR @jetblue) AND (delay* OR cancel*)",
    "(thanks OR thank) AND NOT (delay* OR cancel*)",
    "flight AND (crew OR attendant*) AND NOT rude",
    "(worst OR terrible OR horrible) AND (service OR experience)",
    "@southwestair AND (love OR great OR awesome)",
    "(lost NEAR/2 bag*) OR (lost NEAR/2 luggage)",
    '"customer service" AND (worst OR bad OR terrible)',
    "@americanair NOT @usairways",
    "hold AND (hour OR hours OR hrs)",
    "(refund* OR voucher*) AND NOT thank*",
    "NOT (@united OR @jetblue OR @americanair OR @usairways OR @southwestair)",
    "(delay* AND weather) OR (cancel* AND snow)",
    "seat* AND (upgrade* OR legroom OR comfortable)",
    # fields
    "author:JetBlueNews",
    "author:@JetBlueNews",
    "author:(JetBlueNews OR otisday)",
    "site:t.co",
    "site:co",
    "links:t.co",
    "url:status",
    "url:jetbluenews",
    "language:en",
    "language:fr",
    "country:us",
    "country:US",
    "platform:twitter",
    "platform:reddit",
    "subreddit:python",
    "kind:reply",
    "kind:post",
    "authorVerified:true",
    "authorVerified:false",
    "authorFollowers:[1000 TO *]",
    "authorFollowers:[* TO 100]",
    "authorFollowers:[100 TO 200]",
    "engagement:[10 TO *]",
    "engagement:[0 TO 2]",
    "engagement:[5 TO 5]",
    "title:delayed",
    "title:(delayed OR late)",
    # fields combined
    "kind:reply AND delay*",
    "authorVerified:true AND @united",
    "site:t.co AND (delay* OR cancel*)",
    "engagement:[10 TO *] AND NOT kind:reply",
    "country:us AND authorFollowers:[2000 TO *] AND thank*",
    "platform:twitter AND NOT site:t.co",
    "(author:JetBlueNews OR author:otisday) OR #jetblue",
    "language:en AND (fleek OR #fail)",
]

INVALID: list[tuple[str, int, int, str]] = [
    # (query, line, column, part of the message)
    ("delayed AND cancelled OR lost", 1, 23, "OR mixed with AND"),
    ("a OR b AND c", 1, 8, "AND mixed with OR"),
    ("a AND b OR c AND d", 1, 9, "OR mixed with AND"),
    ("(a OR b) AND c OR d", 1, 16, "OR mixed with AND"),
    ("a NOT b OR c", 1, 9, "OR mixed with NOT"),
    ('"customer service', 1, 1, "quote is not closed"),
    ('delayed AND "on hold', 1, 13, "quote is not closed"),
    ('"a b"~', 1, 6, "~ needs a number"),
    ("(delayed OR cancelled", 1, 1, "parenthesis is not closed"),
    ("((a OR b) AND c", 1, 1, "parenthesis is not closed"),
    ("delayed)", 1, 8, "unexpected )"),
    ("a AND b)", 1, 8, "unexpected )"),
    ("()", 1, 2, "empty parentheses"),
    ("*lay", 1, 1, "wildcard cannot start"),
    ("?elay", 1, 1, "wildcard cannot start"),
    ("a AND *b", 1, 7, "wildcard cannot start"),
    ('"*a b"', 1, 1, "wildcard cannot start"),
    ("flight NEAR delayed", 1, 8, "NEAR needs a distance"),
    ("flight NEAR/ delayed", 1, 8, "NEAR needs a distance"),
    ("flight near/3 delayed", 1, 8, "lower-case"),
    ("flight NEAR/3", 1, 14, "NEAR has nothing after it"),
    ("NEAR/3 flight", 1, 1, "NEAR has nothing before it"),
    ('"late flight" NEAR/3 bag', 1, 1, "NEAR joins single words"),
    ("delayed and cancelled", 1, 9, "lower-case 'and'"),
    ("delayed or cancelled", 1, 9, "lower-case 'or'"),
    ("delayed not cancelled", 1, 9, "lower-case 'not'"),
    ("", 1, 1, "the query is empty"),
    ("   ", 1, 1, "the query is empty"),
    ("<<<only a comment>>>", 1, 1, "the query is empty"),
    ("<<<not closed", 1, 1, "comment is not closed"),
    ("foo:bar", 1, 1, "unknown field 'foo'"),
    ("delayed AND hashtag:fail", 1, 13, "unknown field 'hashtag'"),
    ("delayed cancelled", 1, 9, "missing operator"),
    ('delayed "on hold"', 1, 9, "missing operator"),
    ("AND delayed", 1, 1, "AND has nothing before it"),
    ("delayed AND", 1, 12, "AND has nothing after it"),
    ("delayed OR", 1, 11, "OR has nothing after it"),
    ("delayed AND OR cancelled", 1, 13, "OR right after AND"),
    ("NOT", 1, 4, "NOT has nothing after it"),
    ("{Apple", 1, 1, "{ is not closed"),
    ("{}", 1, 1, "empty"),
    ("authorFollowers:1000", 1, 17, "takes a range"),
    ("authorFollowers:[1000 TO]", 1, 17, "range is not [low TO high]"),
    ("engagement:[10 to 20]", 1, 12, "range is not [low TO high]"),
    ("engagement:[20 TO 10]", 1, 12, "down to"),
    ("author:[1 TO 2]", 1, 8, "does not take a range"),
    ("[1 TO 2]", 1, 1, "a range needs a field"),
    ("authorVerified:maybe", 1, 16, "true or false"),
    ("title:", 1, 7, "has no value"),
    ("delayed AND\n  (bag OR", 2, 10, "OR has nothing after it"),
    ("delayed AND\n  (bag", 2, 3, "parenthesis is not closed"),
    ("delayed AND\ncancelled OR bag", 2, 11, "OR mixed with AND"),
    ("a]", 1, 2, "unexpected ]"),
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
    counts = {q: sum(1 for p in posts if evaluate(parse(q), p)) for q in QUERIES}
    EXPECTED.write_text(json.dumps(counts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(counts)} expected counts to {EXPECTED}")


if __name__ == "__main__":
    main()

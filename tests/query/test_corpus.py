"""162 queries over real airline tweets, 58 invalid queries with their error positions (corpus.json)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from hubbub.model import POST_SCHEMA
from hubbub.query import QuerySyntaxError, compile_topics, evaluate, parse, search_sql
from hubbub.query.sql import tokenized_table
from hubbub.store import Store
from tests.query.corpus import EXPECTED_COUNTS, INVALID, QUERIES, airline_posts


@pytest.fixture(scope="module")
def posts(shared_data: Path) -> list[dict[str, Any]]:
    return airline_posts(shared_data)


@pytest.fixture(scope="module")
def store(posts: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from datetime import UTC, datetime

    db = Store(tmp_path_factory.mktemp("corpus") / "c.duckdb")
    now = datetime(2015, 2, 20, tzinfo=UTC)
    rows = [
        {
            **{n: p.get(n) for n in POST_SCHEMA.names},
            "native_id": p["id"].split(":")[1],
            "created_at": now,
            "collected_at": now,
            "mapping_version": "test",
        }
        for p in posts
    ]
    db.con.register("t", pa.Table.from_pylist(rows, schema=POST_SCHEMA))
    db.con.execute("INSERT INTO posts BY NAME SELECT * EXCLUDE (platform, native_id) FROM t")
    tokenized_table(db.con, "posts_tok")
    yield db
    db.close()


def test_corpus_size_and_coverage() -> None:
    assert len(QUERIES) >= 150 and len(set(QUERIES)) == len(QUERIES)
    assert len(INVALID) >= 40
    text = " ".join(QUERIES)
    for operator in ("AND", "OR", "NOT", "NEAR/", "f ", '"~', "*", "?", "{", "#", "@", "<<<"):
        assert operator in text, operator
    for field in (
        "title:",
        "author:",
        "site:",
        "url:",
        "links:",
        "language:",
        "country:",
        "platform:",
        "subreddit:",
        "kind:",
        "authorVerified:",
        "authorFollowers:",
        "engagement:",
    ):
        assert field in text, field


def test_every_query_gives_its_expected_count_on_all_back_ends(
    posts: list[dict[str, Any]], store: Store
) -> None:
    expected = EXPECTED_COUNTS
    assert set(expected) == set(QUERIES)
    matcher = compile_topics({f"q{i}": q for i, q in enumerate(QUERIES)})
    stream: dict[str, set[str]] = {q: set() for q in QUERIES}
    for pair in matcher.match_batch(pa.Table.from_pylist(posts)).to_pylist():
        stream[QUERIES[int(pair["topic"][1:])]].add(pair["post_id"])
    nonzero = 0
    caches: dict[str, dict[str, Any]] = {p["id"]: {} for p in posts}  # tokens, once per post
    for q in QUERIES:
        node = parse(q)
        reference = {p["id"] for p in posts if evaluate(node, p, caches[p["id"]])}
        sql = {
            r[0]
            for r in store.con.execute(
                search_sql(q, columns="p.id", source="posts_tok", tokenized=True)
            ).fetchall()
        }
        assert len(reference) == expected[q], q
        assert stream[q] == reference, q
        assert sql == reference, q
        nonzero += bool(reference)
    assert nonzero >= 145


def _words(text: str) -> list[str]:
    return re.findall(r"[#@]\w+|\w+(?:['’.]\w+)*", text.lower())


def _bare(post: dict[str, Any]) -> list[str]:
    """Words with a hashtag's # dropped (a word term also matches its hashtag)."""
    return [w.lstrip("#") for w in _words(post["text"])]


def _within(words: list[str], a: set[str], b: set[str], slop: int) -> bool:
    """Both words inside some window of 2 + slop consecutive words."""
    width = 2 + slop
    return any(
        a & set(words[s : s + width]) and b & set(words[s : s + width]) for s in range(len(words))
    )


def _near(words: list[str], a: str, b: str, distance: int, *, ordered: bool) -> bool:
    """At most `distance` words between a and b (b after a when ordered)."""
    for i, w in enumerate(words):
        for j, v in enumerate(words):
            gap = j - i - 1 if ordered else abs(j - i) - 1
            if w == a and v == b and i != j and (j > i or not ordered) and gap <= distance:
                return True
    return False


# Independent oracles: plain Python over the raw text, written without hubbub's tokenizer.
ORACLES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "delayed": lambda p: "delayed" in [w.lstrip("#") for w in _words(p["text"])],
    "DELAYED": lambda p: "delayed" in [w.lstrip("#") for w in _words(p["text"])],
    "flight": lambda p: "flight" in [w.lstrip("#") for w in _words(p["text"])],
    "bag": lambda p: "bag" in [w.lstrip("#") for w in _words(p["text"])],
    "delay*": lambda p: any(w.lstrip("#").startswith("delay") for w in _words(p["text"])),
    "cancel*": lambda p: any(w.lstrip("#").startswith("cancel") for w in _words(p["text"])),
    "bag?": lambda p: any(re.fullmatch(r"bag.", w.lstrip("#")) for w in _words(p["text"])),
    '"customer service"': lambda p: (
        re.search(r"\bcustomer\W+service\b", p["text"].lower()) is not None
    ),
    '"on hold"': lambda p: re.search(r"\bon\W+hold\b", p["text"].lower()) is not None,
    '"thank you"': lambda p: re.search(r"\bthank\W+you\b", p["text"].lower()) is not None,
    "#fail": lambda p: "#fail" in _words(p["text"]),
    "@united": lambda p: "@united" in _words(p["text"]),
    "@jetblue": lambda p: "@jetblue" in _words(p["text"]),
    "{AA}": lambda p: re.search(r"(?<![\w#@])#?AA(?![\w])", p["text"]) is not None,
    "delayed AND cancelled": lambda p: (
        ORACLES["delayed"](p) and "cancelled" in [w.lstrip("#") for w in _words(p["text"])]
    ),
    "delayed NOT cancelled": lambda p: (
        ORACLES["delayed"](p) and "cancelled" not in [w.lstrip("#") for w in _words(p["text"])]
    ),
    "NOT delayed": lambda p: not ORACLES["delayed"](p),
    "author:JetBlueNews": lambda p: p["author_handle"].lower() == "jetbluenews",
    "site:t.co": lambda p: "t.co" in p["domains"],
    "kind:reply": lambda p: p["kind"] == "reply",
    "authorVerified:true": lambda p: p["author_verified"] is True,
    "authorFollowers:[1000 TO *]": lambda p: p["author_followers"] >= 1000,
    "authorFollowers:[100 TO 200]": lambda p: 100 <= p["author_followers"] <= 200,
    "engagement:[10 TO *]": lambda p: p["likes"] + p["replies"] + p["reposts"] + p["quotes"] >= 10,
    "country:us": lambda p: p["country"] == "US",
    "url:status": lambda p: "/status/" in p["url"],
    # more operators and fields, one oracle each
    "flights": lambda p: "flights" in _bare(p),
    "se?t": lambda p: any(re.fullmatch(r"se.t", w) for w in _bare(p)),
    "serv*ce": lambda p: any(re.fullmatch(r"serv.*ce", w) for w in _bare(p)),
    '"customer service"~2': lambda p: _within(_bare(p), {"customer"}, {"service"}, 2),
    '"bag lost"~2': lambda p: _within(_bare(p), {"bag"}, {"lost"}, 2),
    "flight NEAR/3 delayed": lambda p: _near(_bare(p), "flight", "delayed", 3, ordered=False),
    "bag NEAR/2 lost": lambda p: _near(_bare(p), "bag", "lost", 2, ordered=False),
    # inner apostrophes and dots stay in a word: DM'd is one word, not DM
    "{DM}": lambda p: re.search(r"(?<![\w#@])#?DM(?!\w|['’.]\w)", p["text"]) is not None,
    "{dm}": lambda p: re.search(r"(?<![\w#@])#?dm(?!\w|['’.]\w)", p["text"]) is not None,
    "#neveragain": lambda p: "#neveragain" in _words(p["text"]),
    "neveragain": lambda p: "neveragain" in _bare(p),
    "@southwestair": lambda p: "@southwestair" in _words(p["text"]),
    "delayed OR cancelled": lambda p: bool({"delayed", "cancelled"} & set(_bare(p))),
    "links:t.co": lambda p: any("t.co" in link.lower() for link in p["links"]),
    "language:en": lambda p: p["lang"] == "en",
    "platform:twitter": lambda p: p["platform"] == "twitter",
    "subreddit:python": lambda p: False,  # no reddit post among tweets
    "authorVerified:false": lambda p: p["author_verified"] is False,
    "engagement:[0 TO 2]": lambda p: p["likes"] + p["replies"] + p["reposts"] + p["quotes"] <= 2,
    "title:delayed": lambda p: False,  # tweets have no title
    "author:(JetBlueNews OR otisday)": lambda p: (
        p["author_handle"].lower() in ("jetbluenews", "otisday")
    ),
    "kind:reply AND delay*": lambda p: p["kind"] == "reply" and ORACLES["delay*"](p),
    "flight NEAR/3f delayed": lambda p: any(
        a == "flight" and "delayed" in [x.lstrip("#") for x in ws[i + 1 : i + 5]]
        for ws in [[w.lstrip("#") for w in _words(p["text"])]]
        for i, a in enumerate(ws)
    ),
}


@pytest.mark.parametrize("query", sorted(ORACLES))
def test_queries_against_independent_oracles(query: str, posts: list[dict[str, Any]]) -> None:
    node = parse(query)
    ours = {p["id"] for p in posts if evaluate(node, p)}
    oracle = {p["id"] for p in posts if ORACLES[query](p)}
    assert ours == oracle, (query, sorted(ours ^ oracle)[:5])


@pytest.mark.parametrize(("query", "line", "column", "message"), INVALID)
def test_invalid_queries_say_what_and_where(
    query: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    error = info.value
    assert (error.line, error.column) == (line, column), error.message
    assert message in error.problem
    assert error.hint
    rendered = str(error).splitlines()
    assert rendered[0] == f"{error.problem} at line {line}, column {column}"
    assert rendered[2].index("^") == 2 + column - 1  # the caret is under the column

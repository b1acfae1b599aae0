"""The batch matcher: whole batches (many posts, titles and texts) give what the reference
evaluator gives post by post, whatever the batch boundaries and the words seen before."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.query import compile_topics, evaluate, parse
from hubbub.query.tokens import raw_tokens
from tests.query.strategies import query, random_post
from tests.realdata import semeval_tweets

_RNG = random.Random(5)
POSTS = [random_post(_RNG, i) for i in range(200)]
TABLE = pa.Table.from_pylist(POSTS)  # every field: topics may use any


def _expected(queries: dict[str, str], posts: list[dict[str, object]]) -> list[tuple[str, str]]:
    return [
        (str(p["id"]), name)
        for p in posts
        for name in sorted(queries)
        if evaluate(parse(queries[name]), p)
    ]


def _pairs(table: pa.Table) -> list[tuple[str, str]]:
    return [(r["post_id"], r["topic"]) for r in table.to_pylist()]


def test_chunks_tokenize_like_whole_texts(shared_data: Path) -> None:
    """The batch tokenizer relies on it: a text's tokens are its whitespace chunks' tokens."""
    texts = [t for _, _, t in semeval_tweets(shared_data)][:5000]
    assert sum(len(raw_tokens(t)) for t in texts) > 50_000
    for text in texts:
        assert [t for c in text.split() for t in raw_tokens(c)] == raw_tokens(text), text


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("ab_'’.#@:/-x é\u0301\u00a0\u2028\x1c😀wh.tps1,!"), max_size=40
    )
)
def test_chunks_tokenize_like_whole_texts_on_odd_text(text: str) -> None:
    assert [t for c in text.split() for t in raw_tokens(c)] == raw_tokens(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(query, min_size=1, max_size=6))
def test_batch_of_many_posts_agrees_with_reference(queries: list[str]) -> None:
    topics = {f"t{i}": q for i, q in enumerate(queries)}
    matcher = compile_topics(topics)
    assert _pairs(matcher.match_batch(TABLE)) == _expected(topics, POSTS)


def test_phrases_and_near_never_span_posts_or_fields() -> None:
    posts: list[dict[str, object]] = [
        {"id": "a", "text": "i love just", "title": None},
        {"id": "b", "text": "do it now", "title": None},
        {"id": "c", "text": "it again", "title": "just do"},
        {"id": "d", "text": "shoes", "title": "nike"},
        {"id": "e", "text": "Just do it, with Nike running shoes", "title": None},
        {"id": "f", "text": None, "title": "#Nike shoes"},
        {"id": "g", "text": "new shoes", "title": None},
        {"id": "h", "text": "nike", "title": None},
    ]
    topics = {
        "phrase": '"just do it"',
        "near": "nike NEAR/2 shoes",
        "ordered": "shoes NEAR/1f nike",
        "prefix": "nike NEAR/0 run*",
        "not": '"just do" AND NOT now',
    }
    table = pa.Table.from_pylist(posts)
    found = _pairs(compile_topics(topics).match_batch(table))
    assert found == [
        ("c", "not"),
        ("e", "near"),
        ("e", "not"),
        ("e", "phrase"),
        ("e", "prefix"),
        ("f", "near"),
    ]
    assert found == _expected(topics, posts)


def test_words_seen_before_do_not_change_results(shared_data: Path) -> None:
    """The vocabulary a matcher keeps across batches only saves work."""
    texts = [t for _, _, t in semeval_tweets(shared_data)][:4000]
    table = pa.table({"id": [f"p{i}" for i in range(len(texts))], "text": texts})
    topics = {
        "a": "obama OR #obama",
        "b": '"going to" AND NOT tomorrow',
        "c": "game* NEAR/3 tonight",
        "d": "{Apple} OR iphone",
    }
    fresh = compile_topics(topics).match_batch(table.slice(2000))
    streaming = compile_topics(topics)
    streaming.match_batch(table.slice(0, 2000))
    assert streaming.match_batch(table.slice(2000)).equals(fresh)
    assert fresh.num_rows > 50
    posts = [{"id": f"p{i}", "text": t, "title": None} for i, t in enumerate(texts)][2000:]
    assert _pairs(fresh) == _expected(topics, posts)

"""Random queries and posts over a small vocabulary, so that they actually match each other."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

WORDS = [
    "nike",
    "adidas",
    "run",
    "running",
    "runner",
    "shoes",
    "just",
    "do",
    "it",
    "café",
    "Apple",
    "apple",
    "e-mail",
    "don't",
    "price",
    "new",
]
TAGS = ["#nike", "#JustDoIt", "#run", "@nike", "@adidas"]
HANDLES = ["nike", "@Adidas", "someone", None]
DOMAINS = [["nike.com"], ["www.adidas.com", "t.co"], ["shop.nike.com"], []]
URLS = ["https://www.reddit.com/r/running/comments/1", "https://twitter.com/x/status/2", None]


def random_post(rng: random.Random, index: int) -> dict[str, Any]:
    text = " ".join(
        rng.choice(WORDS + TAGS + [",", "!", "😀"]) for _ in range(rng.randrange(0, 12))
    )
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(0, 4))) or None
    post = {
        "id": "",
        "text": text,
        "title": title,
        "author_handle": rng.choice(HANDLES),
        "domains": rng.choice(DOMAINS),
        "links": [f"https://{d}/x" for d in rng.choice(DOMAINS)],
        "url": rng.choice(URLS),
        "lang": rng.choice(["en", "fr", None]),
        "country": rng.choice(["US", "fr", None]),
        "platform": rng.choice(["reddit", "twitter"]),
        "kind": rng.choice(["post", "reply"]),
        "author_verified": rng.choice([True, False, None]),
        "author_followers": rng.choice([None, 0, 50, 1000, 20000]),
        "likes": rng.choice([None, 0, 3, 40]),
        "replies": rng.choice([None, 1]),
        "reposts": rng.choice([None, 0, 9]),
        "quotes": None,
    }
    post["id"] = f"{post['platform']}:{index}"  # as every post's id is: platform:native_id
    return post


word = st.sampled_from(WORDS + TAGS)
plain = st.sampled_from(
    ["nike", "adidas", "run", "shoes", "just", "it", "cafe", "apple", "price", "new"]
)
wildcard = st.sampled_from(["run*", "ru?", "nik*", "sho?s", "e-m*", "#ni*", "r*g"])
exact = st.sampled_from(["{Apple}", "{apple}", "{#JustDoIt}", "{Nike}"])
phrase = st.lists(plain, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
proximity = st.tuples(st.lists(plain, min_size=2, max_size=3), st.integers(0, 3)).map(
    lambda t: '"' + " ".join(t[0]) + f'"~{t[1]}'
)
near = st.tuples(
    st.one_of(plain, wildcard), st.integers(0, 3), st.booleans(), st.one_of(plain, wildcard)
).map(lambda t: f"{t[0]} NEAR/{t[1]}{'f' if t[2] else ''} {t[3]}")
field = st.sampled_from(
    [
        "title:nike",
        'title:"just do"',
        "author:nike",
        "author:@adidas",
        "site:nike.com",
        "site:adidas.com",
        "url:reddit",
        "links:nike",
        "language:en",
        "country:us",
        "platform:reddit",
        "subreddit:running",
        "kind:reply",
        "authorVerified:true",
        "authorVerified:false",
        "authorFollowers:[1000 TO *]",
        "authorFollowers:[* TO 50]",
        "engagement:[10 TO *]",
        "engagement:[0 TO 3]",
    ]
)
atom = st.one_of(word, plain, wildcard, exact, phrase, proximity, near, field)


def combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["AND", "OR", "NOT"]), children).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        children.map(lambda c: f"NOT {c}"),
        st.lists(children, min_size=2, max_size=3).map(lambda cs: "(" + " OR ".join(cs) + ")"),
    )


query = st.recursive(atom, combine, max_leaves=6)

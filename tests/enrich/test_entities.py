from __future__ import annotations

from pathlib import Path

from hubbub.enrich import enrich
from hubbub.enrich.datasets import load_semeval_pool
from hubbub.enrich.entities import cashtags_of, emoji_of, hashtags_of, links_of, mentions_of

from .conftest import posts_table


def test_entities_are_normalised() -> None:
    text = "Loving the new #iPhone15 from @Apple! $AAPL up 3% 🚀🔥 #iPhone15 https://www.Apple.com/iphone."
    assert hashtags_of(text) == ["iphone15"]
    assert mentions_of(text) == ["apple"]
    assert cashtags_of(text) == ["AAPL"]
    assert links_of(text) == ["https://www.Apple.com/iphone"]
    assert emoji_of(text) == ["🚀", "🔥"]


def test_no_false_entities() -> None:
    text = "Costs $100 at 5pm, email me at bob@example.com; issue #42 &#39; page#anchor"
    assert hashtags_of(text) == []
    assert mentions_of(text) == []
    assert cashtags_of(text) == []


def test_emoji_sequences_stay_whole() -> None:
    # A skin tone, a flag and a zero-width-joiner family are one emoji each.
    assert emoji_of("👍🏽 🇫🇷 👨‍👩‍👧 ❤️") == ["👍🏽", "🇫🇷", "👨‍👩‍👧", "❤️"]


def test_fediverse_mentions_keep_their_server() -> None:
    assert mentions_of("thanks @Gargron@mastodon.social and @jay.bsky.team.") == [
        "gargron@mastodon.social",
        "jay.bsky.team",
    ]


def test_real_tweets_only_fill_null_lists(shared_data: Path) -> None:
    texts = [t for t, _ in load_semeval_pool(shared_data)[:3000]]
    given = [["platform-given"] if i % 2 else None for i in range(len(texts))]
    out = enrich(posts_table(texts, hashtags=given), only={"entities"})
    hashtags = out.column("hashtags").to_pylist()
    assert all(h == ["platform-given"] for h in hashtags[1::2])
    found = [h for h in hashtags[::2] if h]
    assert len(found) > 200  # real tweets are full of hashtags
    for tags, text in zip(hashtags[::2], texts[::2], strict=True):
        for tag in tags:
            assert tag == tag.lower() and not tag.startswith("#")
            assert f"#{tag}" in text.lower()
    # Links found in text give their domains, without www.
    for links, domains in zip(
        out.column("links").to_pylist(), out.column("domains").to_pylist(), strict=True
    ):
        assert len(domains) <= len(links)
        assert not any(d.startswith("www.") for d in domains)
    assert sum(bool(d) for d in out.column("domains").to_pylist()) > 300

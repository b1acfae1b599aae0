"""`hb.owned`, `hb.creative`, `hb.support`: the team features of one database, method for method
the same as `hubbub owned ...`, `hubbub creative ...` and `hubbub support ...`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.store import Store
from hubbub.teams import creative, owned, support
from hubbub.teams import performance as perf


class Owned:
    """Accounts that are ours, and how their posts perform."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self, handle: str, platform: str = owned.ANY_PLATFORM, label: str | None = None
    ) -> owned.OwnedAccount:
        return owned.add_owned(self.store, handle, platform, label)

    def remove(self, handle: str, platform: str = owned.ANY_PLATFORM) -> None:
        owned.remove_owned(self.store, handle, platform)

    def list(self) -> list[owned.OwnedAccount]:
        return owned.list_owned(self.store)

    def posts(self, since: datetime | None = None, until: datetime | None = None) -> pa.Table:
        return owned.owned_posts(self.store, since, until)

    def performance(self, by: str = "format", **options: Any) -> perf.Performance:
        return perf.performance(self.store, by, **options)

    def best_times(self, by: str = "hour", **options: Any) -> perf.BestTimes:
        return perf.best_times(self.store, by, **options)


class Creative:
    """Variants of a campaign and which one wins."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, campaign: str, variant: str, rule: str | None = None) -> None:
        creative.add_variant(self.store, campaign, variant, rule)

    def tag(self, campaign: str, variant: str, post_ids: Sequence[str]) -> int:
        return creative.tag_posts(self.store, campaign, variant, list(post_ids))

    def list(self) -> list[dict[str, Any]]:
        return creative.list_variants(self.store)

    def remove(self, campaign: str) -> None:
        creative.remove_campaign(self.store, campaign)

    def compare(self, campaign: str, **options: Any) -> creative.CreativeTest:
        return creative.compare(self.store, campaign, **options)


class Support:
    """The support queue: posts to our accounts, by urgency; assignment and response times."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def queue(self, **options: Any) -> pa.Table:
        return support.queue(self.store, **options)

    def assign(self, post_id: str, assignee: str) -> None:
        support.assign(self.store, post_id, assignee)

    def handle(self, post_id: str, by: str | None = None, note: str | None = None) -> None:
        support.handle(self.store, post_id, by, note)

    def reopen(self, post_id: str) -> None:
        support.reopen(self.store, post_id)

    def stats(self) -> support.ResponseTimes:
        return support.response_times(self.store)

    def train_reasons(
        self,
        path: str | Path,
        *,
        text_col: str = "text",
        label_col: str = "reason",
        name: str = "default",
        holdout: float = 0.2,
        seed: int = 0,
        keywords: Mapping[str, Sequence[str]] | None = None,
        keyword_fallback: str | None = None,
    ) -> dict[str, Any]:
        """Train the workspace's complaint-reason model on a labelled file (CSV/TSV).

        Scores a model fitted on a seeded (1 - holdout) share against the held-out rest, next to
        the keyword classifier (`keywords`, default the generic lexicon) on the same rows; then
        fits on every row and stores that model. Rows without a label are skipped.
        """
        from hubbub.enrich.evalfile import read_labelled
        from hubbub.teams import reasons  # scikit-learn: loaded only to train

        texts, labels = read_labelled(Path(path), "auto", text_col, label_col)
        pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab]
        if len(pairs) < 20:
            raise HubbubError(
                f"only {len(pairs)} labelled rows in {path}",
                "training needs at least 20 posts with a reason",
            )
        texts, labels = [t for t, _ in pairs], [lab for _, lab in pairs]
        train, test = reasons.split(len(texts), holdout, seed)
        held = reasons.train_reasons(
            [texts[i] for i in train], [labels[i] for i in train], name=name, seed=seed
        )
        truth = [labels[i] for i in test]
        held_texts = [texts[i] for i in test]
        model_scores = reasons.score(held.name, truth, [p for p, _ in held.predict(held_texts)])
        lexicon = {k.lower(): list(v) for k, v in (keywords or reasons.DEFAULT_LEXICON).items()}
        baseline = reasons.KeywordReasons(lexicon, keyword_fallback)
        base_scores = reasons.score("keywords", truth, [p for p, _ in baseline.predict(held_texts)])
        final = reasons.train_reasons(texts, labels, name=name, seed=seed)
        metrics = {
            "rows": len(texts),
            "train": len(train),
            "held_out": len(test),
            "model": model_scores.as_dict(),
            "keyword_baseline": base_scores.as_dict(),
        }
        reasons.save_model(self.store, final, name, metrics)
        support.reclassify_reasons(self.store, name)
        return metrics

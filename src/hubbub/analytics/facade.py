"""`hb.stats`: the analytics of one database, with the same arguments as `hubbub stats ...`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from hubbub.analytics import metrics
from hubbub.analytics.correlation import correlate
from hubbub.analytics.forecast import Forecast, forecast_volume
from hubbub.analytics.headlines import headlines
from hubbub.analytics.scope import Scope
from hubbub.analytics.spikes import Spike, SpikeSettings, find_spikes
from hubbub.analytics.terms import emerging_terms
from hubbub.analytics.themes import ThemeResult, find_themes
from hubbub.store import Store


def make_scope(
    topics: Sequence[str] = (),
    include_noise: bool = False,
    sentiments: Sequence[str] = (),
    query: str | None = None,
    group: str | None = None,
    platforms: Sequence[str] = (),
    langs: Sequence[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> Scope:
    return Scope(
        tuple(topics),
        group,
        tuple(platforms),
        tuple(langs),
        since,
        until,
        include_noise=include_noise,
        sentiments=tuple(sentiments),
        query=query,
    )


class Stats:
    """Analytics over a store. Every method takes the scope filters as keyword arguments:
    topics, group, platforms, langs, since, until, include_noise (default False: spam, bot and
    campaign posts are left out)."""

    def __init__(self, store: Store) -> None:
        from hubbub.query.sql import register_functions

        self.store = store
        register_functions(store.con)  # the `query` filter uses the tokenizer in SQL

    def volume(
        self, *, bucket: str | None = "day", tz: str = "UTC", by_topic: bool = False, **scope: Any
    ) -> pa.Table:
        return metrics.volume(
            self.store, make_scope(**scope), bucket=bucket, tz=tz, by_topic=by_topic
        )

    def share_of_voice(
        self, group: str, *, bucket: str | None = None, tz: str = "UTC", **scope: Any
    ) -> pa.Table:
        return metrics.share_of_voice(self.store, group, make_scope(**scope), bucket=bucket, tz=tz)

    def sentiment(
        self, *, bucket: str | None = "day", tz: str = "UTC", by_topic: bool = False, **scope: Any
    ) -> pa.Table:
        return metrics.sentiment(
            self.store, make_scope(**scope), bucket=bucket, tz=tz, by_topic=by_topic
        )

    def top(self, what: str, *, limit: int = 10, order: str = "posts", **scope: Any) -> pa.Table:
        return metrics.top(self.store, what, make_scope(**scope), limit=limit, order=order)

    def spikes(
        self,
        *,
        bucket: str = "hour",
        tz: str = "UTC",
        threshold: float = SpikeSettings.threshold,
        min_count: int = SpikeSettings.min_count,
        **scope: Any,
    ) -> list[Spike]:
        settings = SpikeSettings(threshold=threshold, min_count=min_count)
        return find_spikes(self.store, make_scope(**scope), bucket=bucket, tz=tz, settings=settings)

    def forecast(
        self, *, bucket: str = "day", horizon: int = 14, tz: str = "UTC", **scope: Any
    ) -> Forecast:
        return forecast_volume(
            self.store, make_scope(**scope), bucket=bucket, horizon=horizon, tz=tz
        )

    def correlate(
        self,
        metric: str,
        *,
        signal: str = "volume",
        bucket: str = "day",
        tz: str = "UTC",
        max_lag: int = 7,
        **scope: Any,
    ) -> dict[str, Any]:
        return correlate(
            self.store,
            metric,
            make_scope(**scope),
            signal=signal,
            bucket=bucket,
            tz=tz,
            max_lag=max_lag,
        )

    def emerging_terms(
        self,
        *,
        recent_start: datetime,
        recent_end: datetime,
        reference_start: datetime,
        reference_end: datetime,
        limit: int = 20,
        **scope: Any,
    ) -> list[dict[str, Any]]:
        return emerging_terms(
            self.store,
            make_scope(**scope),
            recent_start=recent_start,
            recent_end=recent_end,
            reference_start=reference_start,
            reference_end=reference_end,
            limit=limit,
        )

    def headlines(
        self, *, start: datetime, end: datetime, count: int = 5, **scope: Any
    ) -> list[dict[str, Any]]:
        return headlines(self.store, make_scope(**scope), start=start, end=end, count=count)

    def themes(
        self,
        *,
        start: datetime,
        end: datetime,
        max_themes: int = 30,
        track: bool = True,
        sample: int | None = 3000,
        **scope: Any,
    ) -> ThemeResult:
        return find_themes(
            self.store,
            make_scope(**scope),
            start=start,
            end=end,
            max_themes=max_themes,
            track=track,
            sample=sample,
        )

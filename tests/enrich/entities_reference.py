"""The per-post `enrich_entities` as it was before it worked a column at a time: the oracle
that tests/enrich/test_entities_batch.py holds the new one to, and the baseline of
benchmarks/entities.py."""

from __future__ import annotations

import pyarrow as pa

from hubbub.enrich._columns import column_or_nulls, post_texts, set_column
from hubbub.enrich.entities import cashtags_of, emoji_of, hashtags_of, links_of, mentions_of
from hubbub.normalize import domains_of


def per_post_entities(table: pa.Table) -> pa.Table:
    """Fill null hashtags/mentions/links/domains from the text; add cashtags and emoji."""
    texts = post_texts(table)
    strings = pa.list_(pa.string())
    for name, extract in (
        ("hashtags", hashtags_of),
        ("mentions", mentions_of),
        ("links", links_of),
    ):
        given = column_or_nulls(table, name, strings).to_pylist()
        filled = [g if g is not None else extract(t) for g, t in zip(given, texts, strict=True)]
        table = set_column(table, name, pa.array(filled, strings))
    links = table.column("links").to_pylist()
    domains = column_or_nulls(table, "domains", strings).to_pylist()
    table = set_column(
        table,
        "domains",
        pa.array(
            [
                d if d is not None else domains_of(ls or [])
                for d, ls in zip(domains, links, strict=True)
            ],
            strings,
        ),
    )
    table = set_column(table, "cashtags", pa.array([cashtags_of(t) for t in texts], strings))
    return set_column(table, "emoji", pa.array([emoji_of(t) for t in texts], strings))

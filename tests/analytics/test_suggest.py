"""Query suggestions on the CrisisLex T6 on/off-topic labelled tweets: a naive query becomes
measurably more precise with the top suggested exclusions. Figures go to the README."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import hubbub
from hubbub.analytics.suggest import apply_exclusions, suggest, suggest_exclusions
from hubbub.query import evaluate, parse
from tests.realdata import write_ndjson

NAIVE = {
    "2013_Boston_Bombings": "boston OR marathon OR bomb* OR explosion*",
    "2013_Alberta_Floods": "flood* OR alberta OR calgary OR #yyc*",
    "2013_Oklahoma_Tornado": "tornado* OR oklahoma OR okc OR moore",
}


def labelled(shared_data: Path, event: str) -> list[tuple[str, bool]]:
    path = next((shared_data / "corpus" / "crisislex_t6" / event).glob("*.csv"))
    with path.open(encoding="utf-8", newline="") as f:
        return [
            (r["tweet"], r["label"].strip() == "on-topic")
            for r in csv.DictReader(f, skipinitialspace=True)
        ]


def precision_recall(query: str, rows: list[tuple[str, bool]]) -> tuple[float, float]:
    node = parse(query)
    hits = [(evaluate(node, {"text": text}), on) for text, on in rows]
    tp = sum(1 for m, on in hits if m and on)
    return tp / sum(1 for m, _ in hits if m), tp / sum(1 for _, on in hits if on)


@pytest.mark.parametrize("event", sorted(NAIVE))
def test_top_exclusions_make_the_naive_query_more_precise(shared_data: Path, event: str) -> None:
    rows = labelled(shared_data, event)
    query = NAIVE[event]
    node = parse(query)
    matched = [t for t, _ in rows if evaluate(node, {"text": t})]
    others = [t for t, _ in rows if not evaluate(node, {"text": t})]
    found = suggest_exclusions(matched, query, others=others, limit=5)
    assert len(found) == 5 and all(f["posts_removed"] >= 10 and f["examples"] for f in found)
    p0, r0 = precision_recall(query, rows)
    p1, r1 = precision_recall(apply_exclusions(query, [f["term"] for f in found]), rows)
    assert p1 > p0, (event, p0, p1)
    assert r0 - r1 < 0.02, (event, r0, r1)


def test_suggest_from_the_store_gives_exclusions_and_additions(
    shared_data: Path, tmp_path: Path
) -> None:
    rows = labelled(shared_data, "2013_Alberta_Floods")
    posts = [
        {"id": f"twitter:{i}", "text": t, "created_at": "2013-06-21T12:00:00Z"}
        for i, (t, _) in enumerate(rows)
    ]
    data = tmp_path / "t6.ndjson"
    write_ndjson(data, posts)
    with hubbub.open(tmp_path / "h.duckdb") as hb:
        hb.import_files([data])
        result = suggest(hb.store, "calgary OR alberta", limit=5)
    assert result["matched"] > 1000
    assert result["exclude"] and result["add"]
    assert any(a["term"].lstrip("#").startswith(("flood", "yyc", "abflood")) for a in result["add"])
    assert all(a["posts_added"] > 0 for a in result["add"])

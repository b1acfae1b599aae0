"""The support queue over the real airline tweets: urgency order, assignment, response times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

import hubbub
from hubbub.errors import HubbubError
from hubbub.teams.support import WEIGHTS
from tests.realdata import AIRLINE_REASON_FALLBACK, AIRLINE_REASON_KEYWORDS, AIRLINES


def test_queue_holds_posts_to_owned_accounts_most_urgent_first(airline_hb: hubbub.Hubbub) -> None:
    rows = airline_hb.support.queue(limit=100_000).to_pylist()
    assert len(rows) > 10_000
    handles = {h.lstrip("@") for h in AIRLINES.values()}
    for row in rows[:200]:
        assert row["author_handle"].lower() not in handles
        assert any(f"@{h}" in row["text"].lower() for h in handles)
    urgencies = [r["urgency"] for r in rows]
    assert urgencies == sorted(urgencies, reverse=True)
    # The score is what the docs say it is.
    top = rows[0]
    parts = {k: top[f"urgency_{k}"] for k in WEIGHTS}
    assert top["urgency"] == pytest.approx(
        100 * sum(WEIGHTS[k] * v for k, v in parts.items()), abs=0.2
    )
    # Complaints rank above praise: the 500 most urgent hold far more complaints than the 500 least.
    head = [r["intent"] for r in rows[:500]]
    tail = [r["intent"] for r in rows[-500:]]
    assert head.count("complaint") > 3 * max(1, tail.count("complaint"))
    assert tail.count("praise") > head.count("praise")


def test_intents_agree_with_the_human_sentiment_labels(
    airline_hb: hubbub.Hubbub, airline_csv: Path
) -> None:
    import csv

    gold = {}
    with airline_csv.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            gold[f"twitter:{r['tweet_id']}"] = r["airline_sentiment"]
    rows = airline_hb.support.queue(limit=100_000, status=None).to_pylist()
    by_label: dict[str, list[str]] = {"negative": [], "positive": []}
    for row in rows:
        label = gold.get(row["post_id"])
        if label in by_label:
            by_label[label].append(row["intent"])
    negative, positive = by_label["negative"], by_label["positive"]
    assert negative.count("complaint") / len(negative) > 0.6
    assert positive.count("praise") / len(positive) > 0.65
    assert positive.count("complaint") / len(positive) < 0.2


def test_assign_handle_reopen_and_response_times(airline_hb: hubbub.Hubbub) -> None:
    first, second = airline_hb.support.queue(limit=2).to_pylist()
    airline_hb.support.assign(first["post_id"], "dana")
    airline_hb.support.assign(second["post_id"], "sam")
    mine = airline_hb.support.queue(assignee="dana").to_pylist()
    assert [r["post_id"] for r in mine] == [first["post_id"]]
    assert mine[0]["status"] == "assigned"

    airline_hb.support.handle(first["post_id"], note="rebooked")
    stats = airline_hb.support.stats()
    assert stats.handled == 1 and stats.assigned == 1
    assert stats.handle_hours_median is not None and stats.handle_hours_median > 0
    assert {a["assignee"]: a["handled"] for a in stats.by_assignee} == {"dana": 1, "sam": 0}
    open_ids = {r["post_id"] for r in airline_hb.support.queue(limit=100_000).to_pylist()}
    assert first["post_id"] not in open_ids and second["post_id"] in open_ids
    with pytest.raises(HubbubError, match="already handled"):
        airline_hb.support.handle(first["post_id"])

    airline_hb.support.reopen(first["post_id"])
    assert airline_hb.support.stats().handled == 0
    with pytest.raises(HubbubError, match="not in the support queue"):
        airline_hb.support.assign("twitter:nope", "dana")


def test_first_reply_by_an_owned_account_is_timed(
    airline_hb: hubbub.Hubbub, tmp_path: Path
) -> None:
    item = airline_hb.support.queue(limit=1).to_pylist()[0]
    # The airline answers two hours later (a reply record in hubbub's schema).
    created = item["created_at"]
    reply = {
        "id": "twitter:reply-1",
        "created_at": created.replace(hour=(created.hour + 2) % 24).isoformat()
        if created.hour < 22
        else created.isoformat(),
        "author_handle": "united",
        "text": "@someone we are sorry, DM us your confirmation number",
        "kind": "reply",
        "parent_id": item["post_id"],
    }
    path = tmp_path / "reply.ndjson"
    path.write_bytes(orjson.dumps(reply) + b"\n")
    airline_hb.import_files([path], platform="twitter")
    stats = airline_hb.support.stats()
    assert stats.replied == 1
    assert stats.first_reply_hours_median == pytest.approx(2.0 if created.hour < 22 else 0.0)
    # An owned account's own post is never a support item.
    assert "twitter:reply-1" not in {
        r["post_id"] for r in airline_hb.support.queue(limit=100_000, status=None).to_pylist()
    }


def test_trained_reasons_beat_the_keyword_baseline(
    airline_hb: hubbub.Hubbub, airline_csv: Path
) -> None:
    metrics = airline_hb.support.train_reasons(
        airline_csv,
        text_col="text",
        label_col="negativereason",
        keywords=AIRLINE_REASON_KEYWORDS,
        keyword_fallback=AIRLINE_REASON_FALLBACK,
    )
    model, keywords = metrics["model"], metrics["keyword_baseline"]
    assert metrics["held_out"] > 1000
    assert set(model["per_label"]) == {*AIRLINE_REASON_KEYWORDS, AIRLINE_REASON_FALLBACK}
    assert model["macro_f1"] > 0.45
    assert model["macro_f1"] > keywords["macro_f1"] + 0.05
    # The queue's complaints now carry the trained reasons.
    reasons = {
        r["reason"] for r in airline_hb.support.queue(intent="complaint", limit=500).to_pylist()
    }
    assert reasons <= {*AIRLINE_REASON_KEYWORDS, AIRLINE_REASON_FALLBACK}
    assert len(reasons) >= 5


def test_cli_queue_assign_handle_and_errors(airline_hb: hubbub.Hubbub) -> None:
    db = airline_hb.store.path
    post_id = airline_hb.support.queue(limit=1).to_pylist()[0]["post_id"]
    airline_hb.close()

    def hubbub_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "hubbub", "--db", db, *args],
            capture_output=True,
            text=True,
            timeout=120,
        )

    queue = hubbub_cli("support", "queue", "--limit", "3", "--format", "json")
    assert queue.returncode == 0, queue.stderr
    rows = [orjson.loads(line) for line in queue.stdout.splitlines()]
    assert rows[0]["post_id"] == post_id and len(rows) == 3
    assert hubbub_cli("support", "assign", post_id, "dana").returncode == 0
    done = hubbub_cli("support", "handle", post_id, "--note", "answered")
    assert done.returncode == 0 and "handled" in done.stdout
    stats = orjson.loads(hubbub_cli("support", "stats", "--json").stdout)
    assert stats["handled"] == 1
    bad = hubbub_cli("support", "handle", "twitter:nope")
    assert bad.returncode != 0
    assert "not in the support queue" in bad.stderr and "Traceback" not in bad.stderr

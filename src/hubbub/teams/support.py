"""The support queue: posts that mention or reply to our accounts, most urgent first.

Each such post is classified once (intent; reason for complaints) and then lives as a support item:
open -> assigned -> handled (and back to open if reopened). Urgency is a 0-100 score whose parts
are shown next to it:

    urgency = 100 x (0.35 negativity + 0.25 reach + 0.20 waiting + 0.20 intent)

negativity = P(negative) from the sentiment score (1 for a negative label without a score), reach =
log10(1 + author followers) / 6 capped at 1 (a million followers is the top), waiting = hours
since the post / 24 capped at 1 (handled posts do not wait), intent = 1 complaint, 0.7 question,
0.3 other, 0.1 praise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.store import Store
from hubbub.teams.intent import INTENT_WEIGHT, INTENTS, classify_intents
from hubbub.teams.owned import AUDIENCE_PREDICATE, OWNED_PREDICATE, has_owned

STATUSES: Final = ("open", "assigned", "handled")
WEIGHTS: Final = {"negativity": 0.35, "reach": 0.25, "waiting": 0.20, "intent": 0.20}


def refresh(store: Store, model: str = "default") -> int:
    """Classify the audience posts that are not in the queue yet. Returns how many were added."""
    if not has_owned(store):
        return 0
    rows = store.con.execute(
        f"""SELECT p.id, coalesce(p.text, p.title, ''), p.sentiment FROM posts p
            WHERE {AUDIENCE_PREDICATE}
              AND p.id NOT IN (SELECT post_id FROM support_items)
              AND p.id NOT IN (SELECT post_id FROM post_noise WHERE is_noise)"""
    ).fetchall()
    if not rows:
        return 0
    ids, texts, sentiments = (list(col) for col in zip(*rows, strict=True))
    intents = classify_intents(texts, sentiments)
    from hubbub.teams.reasons import load_classifier  # scikit-learn: only when there is work

    classifier = load_classifier(store, model)
    complaint_rows = [i for i, intent in enumerate(intents) if intent == "complaint"]
    reasons: dict[int, tuple[str | None, float]] = dict(
        zip(complaint_rows, classifier.predict([texts[i] for i in complaint_rows]), strict=True)
    )
    now = datetime.now(UTC)
    table = pa.table(
        {
            "post_id": ids,
            "intent": intents,
            "reason": [reasons.get(i, (None, 0.0))[0] for i in range(len(ids))],
            "reason_confidence": [reasons[i][1] if i in reasons else None for i in range(len(ids))],
            "classified_by": [classifier.name] * len(ids),
            "updated_at": pa.array([now] * len(ids), pa.timestamp("us", tz="UTC")),
        }
    )
    with store.transaction() as con:
        con.register("new_items", table)
        con.execute(
            "INSERT INTO support_items (post_id, intent, reason, reason_confidence, classified_by,"
            " updated_at) SELECT * FROM new_items"
        )
        con.unregister("new_items")
    return len(ids)


def reclassify_reasons(store: Store, model: str = "default") -> int:
    """Give every complaint in the queue the reason the current model says (after training)."""
    rows = store.con.execute(
        "SELECT s.post_id, coalesce(p.text, p.title, '') FROM support_items s"
        " JOIN posts p ON p.id = s.post_id WHERE s.intent = 'complaint'"
    ).fetchall()
    if not rows:
        return 0
    from hubbub.teams.reasons import load_classifier

    classifier = load_classifier(store, model)
    predicted = classifier.predict([r[1] for r in rows])
    table = pa.table(
        {
            "post_id": [r[0] for r in rows],
            "reason": [p for p, _ in predicted],
            "confidence": [c for _, c in predicted],
        }
    )
    with store.transaction() as con:
        con.register("new_reasons", table)
        con.execute(
            "UPDATE support_items SET reason = n.reason, reason_confidence = n.confidence,"
            " classified_by = ? FROM new_reasons n WHERE support_items.post_id = n.post_id",
            [classifier.name],
        )
        con.unregister("new_reasons")
    return len(rows)


def _negativity(sentiment: str | None, score: float | None) -> float:
    if score is not None and sentiment is not None:
        # sentiment_score is P(positive) - P(negative); its negative part is the best P(negative)
        # estimate that survives storage.
        return max(0.0, -float(score)) if sentiment != "negative" else max(0.5, -float(score))
    return 1.0 if sentiment == "negative" else 0.0


def urgency_parts(row: dict[str, Any], as_of: datetime) -> dict[str, float]:
    followers = row.get("author_followers") or 0
    waited = (
        0.0
        if row["status"] == "handled"
        else max(0.0, (as_of - row["created_at"]).total_seconds() / 3600.0)
    )
    return {
        "negativity": _negativity(row.get("sentiment"), row.get("sentiment_score")),
        "reach": min(1.0, math.log10(1 + max(0, followers)) / 6.0),
        "waiting": min(1.0, waited / 24.0),
        "intent": INTENT_WEIGHT.get(row["intent"], 0.3),
    }


def queue(
    store: Store,
    *,
    status: str | None = "unhandled",
    intent: str | None = None,
    assignee: str | None = None,
    limit: int = 50,
    as_of: datetime | None = None,
    model: str = "default",
) -> pa.Table:
    """The queue ordered by urgency (highest first), refreshed with new posts first."""
    if status is not None and status not in (*STATUSES, "unhandled"):
        raise HubbubError(
            f"unknown status {status!r}", f"use one of {', '.join(STATUSES)} or unhandled"
        )
    if intent is not None and intent not in INTENTS:
        raise HubbubError(f"unknown intent {intent!r}", f"use one of {', '.join(INTENTS)}")
    refresh(store, model)
    clauses, params = ["TRUE"], []
    if status == "unhandled":
        clauses.append("s.status <> 'handled'")
    elif status is not None:
        clauses.append("s.status = ?")
        params.append(status)
    if intent is not None:
        clauses.append("s.intent = ?")
        params.append(intent)
    if assignee is not None:
        clauses.append("s.assignee = ?")
        params.append(assignee)
    rows = store.query(
        f"""SELECT s.post_id, p.platform, p.created_at, p.author_handle, p.author_followers,
                   p.url, coalesce(p.text, p.title) AS text, p.sentiment, p.sentiment_score,
                   s.intent, s.reason, s.reason_confidence, s.status, s.assignee, s.assigned_at,
                   s.handled_at, s.handled_by, s.note
            FROM support_items s JOIN posts p ON p.id = s.post_id
            WHERE {" AND ".join(clauses)}""",
        params,
    ).to_pylist()
    when = as_of or datetime.now(UTC)
    for row in rows:
        parts = urgency_parts(row, when)
        row.update({f"urgency_{k}": round(v, 3) for k, v in parts.items()})
        row["urgency"] = round(100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()), 1)
        row["waiting_hours"] = (
            None
            if row["status"] == "handled"
            else round((when - row["created_at"]).total_seconds() / 3600, 1)
        )
    rows.sort(key=lambda r: (-r["urgency"], r["created_at"], r["post_id"]))
    return (
        pa.Table.from_pylist(rows[:limit])
        if rows
        else pa.table({"post_id": pa.array([], pa.string())})
    )


def _item(store: Store, post_id: str) -> tuple[Any, ...]:
    refresh(store)
    row = store.one("SELECT status, assignee FROM support_items WHERE post_id = ?", [post_id])
    if row is None:
        raise HubbubError(
            f"{post_id} is not in the support queue",
            "the queue holds posts that mention or reply to owned accounts: see `hubbub support queue`",
        )
    return row


def assign(store: Store, post_id: str, assignee: str) -> None:
    if not assignee.strip():
        raise HubbubError("empty assignee", "give the teammate's user name")
    _item(store, post_id)
    now = datetime.now(UTC)
    store.con.execute(
        "UPDATE support_items SET assignee = ?, assigned_at = ?, status = CASE WHEN status = 'handled'"
        " THEN status ELSE 'assigned' END, updated_at = ? WHERE post_id = ?",
        [assignee.strip(), now, now, post_id],
    )


def handle(store: Store, post_id: str, by: str | None = None, note: str | None = None) -> None:
    """Mark a post handled (answered or dealt with); its response time is then counted."""
    status, assignee = _item(store, post_id)
    if status == "handled":
        raise HubbubError(
            f"{post_id} is already handled", "reopen it first with `hubbub support reopen`"
        )
    now = datetime.now(UTC)
    store.con.execute(
        "UPDATE support_items SET status = 'handled', handled_at = ?, handled_by = ?, note = ?,"
        " updated_at = ? WHERE post_id = ?",
        [now, by or assignee, note, now, post_id],
    )


def reopen(store: Store, post_id: str) -> None:
    _item(store, post_id)
    store.con.execute(
        "UPDATE support_items SET status = CASE WHEN assignee IS NULL THEN 'open' ELSE 'assigned' END,"
        " handled_at = NULL, handled_by = NULL, updated_at = ? WHERE post_id = ?",
        [datetime.now(UTC), post_id],
    )


@dataclass
class ResponseTimes:
    """How fast the team answers. Hours, from the post to it being handled / first owned reply."""

    open: int = 0
    assigned: int = 0
    handled: int = 0
    handle_hours_median: float | None = None
    handle_hours_p90: float | None = None
    replied: int = 0
    first_reply_hours_median: float | None = None
    by_intent: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    by_assignee: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def response_times(store: Store) -> ResponseTimes:
    refresh(store)
    out = ResponseTimes()
    for status, n in store.con.execute(
        "SELECT status, count(*) FROM support_items GROUP BY 1"
    ).fetchall():
        setattr(out, status, int(n))
    hours = "date_diff('second', p.created_at, {}) / 3600.0"
    row = store.one(
        f"""SELECT median({hours.format("s.handled_at")}), quantile_cont({hours.format("s.handled_at")}, 0.9)
            FROM support_items s JOIN posts p ON p.id = s.post_id WHERE s.status = 'handled'"""
    )
    if row is not None:
        out.handle_hours_median, out.handle_hours_p90 = row
    reply = store.one(
        f"""SELECT count(*), median(h) FROM (
              SELECT min(date_diff('second', q.created_at, r.created_at) / 3600.0) AS h
              FROM support_items s JOIN posts q ON q.id = s.post_id
              JOIN posts r ON r.parent_id = q.id
              WHERE {OWNED_PREDICATE.replace("p.", "r.")} GROUP BY s.post_id)"""
    )
    if reply is not None:
        out.replied, out.first_reply_hours_median = int(reply[0]), reply[1]
    out.by_intent = dict(
        store.con.execute(
            "SELECT intent, count(*) FROM support_items GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    out.by_reason = dict(
        store.con.execute(
            "SELECT reason, count(*) FROM support_items WHERE reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    out.by_assignee = store.query(
        f"""SELECT s.assignee, count(*) AS items, count(*) FILTER (WHERE s.status = 'handled') AS handled,
                   median({hours.format("s.handled_at")}) AS handle_hours_median
            FROM support_items s JOIN posts p ON p.id = s.post_id
            WHERE s.assignee IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"""
    ).to_pylist()
    return out

"""Digests: a real SMTP server receives the period's headlines and key numbers; due-ness is tracked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import hubbub
from hubbub.errors import HubbubError
from tests.alerts.conftest import import_part
from tests.alerts.servers import Mailbox

FEB23 = datetime(2015, 2, 23, tzinfo=UTC)


def test_daily_digest_arrives_with_headlines_and_is_sent_once_per_day(
    store_before: Path, airline_parts: dict[str, Path], smtp: Mailbox
) -> None:
    with hubbub.open(store_before) as hb:
        import_part(hb, airline_parts["surge"])
        hb.digests.add("morning", "daily", ["cmo@example.org", "pr@example.org"], group="airlines")
        sent = hb.digests.run(now=FEB23)
        assert [s.status for s in sent] == ["sent"]
        assert hb.digests.run(now=FEB23 + timedelta(hours=3)) == []  # not due again yet
        assert hb.digests.list()[0].last_sent == FEB23
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["cmo@example.org", "pr@example.org"]
    assert message["Subject"] == "[hubbub] daily digest morning: 2015-02-23"
    body = smtp.bodies()[0]
    assert "Headlines:" in body and "Key numbers:" in body
    headlines = sent[0].headlines
    assert len(headlines) >= 3
    for h in headlines:  # every headline is in the mail with a link to each supporting post
        assert h["headline"] in body
        for post in h["supporting"]:
            assert (post["url"] or post["id"]) in body
    assert "posts: " in body and "net sentiment" in body


def test_weekly_digest_is_due_after_a_week_and_failures_stay_due(
    store_before: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUBBUB_SMTP_HOST", raising=False)
    monkeypatch.delenv("HUBBUB_SMTP_CONFIG", raising=False)
    with hubbub.open(store_before) as hb:
        hb.digests.add("weekly", "weekly", ["a@example.org"])
        failed = hb.digests.run(now=FEB23)
        assert failed[0].status == "failed" and "HUBBUB_SMTP_HOST" in (failed[0].error or "")
        assert hb.digests.list()[0].last_sent is None  # still due
        with pytest.raises(HubbubError, match="daily or weekly"):
            hb.digests.add("x", "hourly", ["a@example.org"])
        with pytest.raises(HubbubError, match="invalid e-mail"):
            hb.digests.add("x", "daily", ["not-an-address"])
        with pytest.raises(HubbubError, match="no topic named"):
            hb.digests.add("x", "daily", ["a@example.org"], topic="lufthansa")

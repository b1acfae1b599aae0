"""The vectorised fast path and the record-by-record path give the same posts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.landing import Segment
from hubbub.normalize import TRIM_CHARS
from hubbub.pipeline import ParseSettings, _fast_path, _slow_path_lines
from tests.realdata import post_records

SEGMENT = Segment(Path("x"), "src/000.ndjson.zst")
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def both(
    records: list[dict[str, object]],
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    lines = b"".join(orjson.dumps(r) + b"\n" for r in records)
    fast = _fast_path(lines, SEGMENT, NOW, ParseSettings())
    careful = _slow_path_lines(lines, 1, SEGMENT, NOW, ParseSettings())
    assert fast is not None and not careful.rejections
    return fast.to_pylist(), careful.table.to_pylist()


def test_real_posts_agree(shared_data: Path) -> None:
    records = post_records(shared_data, limit=2000)
    records[0]["links"] = ["https://www.Example.com/a", "http://t.co/x"]
    records[1]["text"] = "\ufeff  padded text \u200b"
    records[2] = {k: v for k, v in records[2].items() if k != "id"} | {
        "platform": "x",
        "native_id": "42",
    }
    records[3]["kind"] = "reply"
    fast, careful = both(records)
    assert fast == careful
    assert fast[0]["domains"] == ["example.com", "t.co"]
    assert fast[1]["text"] == "padded text"
    assert fast[2]["id"] == "x:42"


text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40
).filter(lambda t: bool(t.strip(TRIM_CHARS)))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "id": st.from_regex(r"\A[a-z]{1,6}:[A-Za-z0-9]{1,10}\Z"),
                "text": text,
                "created_at": st.datetimes(
                    min_value=datetime(2000, 1, 1),
                    max_value=datetime(2030, 1, 1),
                    timezones=st.just(UTC),
                ).map(lambda d: d.isoformat()),
                "likes": st.integers(0, 10**9),
            },
            optional={
                "title": text,
                "author_followers": st.integers(0, 10**9),
                "author_verified": st.booleans(),
                "hashtags": st.lists(text, max_size=3),
                "sentiment": st.sampled_from(["positive", " Negative", "NEUTRAL"]),
            },
        ),
        min_size=1,
        max_size=20,
        unique_by=lambda r: r["id"],
    )
)
def test_random_records_agree(records: list[dict[str, object]]) -> None:
    lines = b"".join(orjson.dumps(r) + b"\n" for r in records)
    careful = _slow_path_lines(lines, 1, SEGMENT, NOW, ParseSettings())
    fast = _fast_path(lines, SEGMENT, NOW, ParseSettings())
    assert fast is not None and not careful.rejections
    assert fast.to_pylist() == careful.table.to_pylist()

"""`hubbub remap`: parse the landed raw records again with today's mappings.

A platform changes its format, or a mapping had a bug: fix the parser (its mapping_version goes
up), then remap. Every segment in the landing zone is read back, parsed with the format and
options its import used (kept in the source's checkpoint), and the posts are rewritten in place;
records that now parse leave the quarantine. Nothing is fetched again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from hubbub.landing import Landing, Segment
from hubbub.pipeline import ParseSettings, parse_ndjson_chunk, parse_record_chunk
from hubbub.store import Store


@dataclass
class RemapReport:
    sources: int = 0
    segments: int = 0
    read: int = 0
    new: int = 0
    updated: int = 0
    rejected: int = 0
    unquarantined: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def settings_from_options(options: dict[str, Any]) -> ParseSettings:
    """The parse settings an import used, with the format's *current* mapping version."""
    from hubbub.pipeline import NATIVE_MAPPING

    name = options.get("format") or "ndjson"
    mapping = dict(options.get("mapping") or {})
    platform = options.get("platform")
    if name in ("ndjson", "json", "csv", "parquet", "yaml", "xml"):
        native = not mapping and platform is None
        return ParseSettings(
            mapping=mapping,
            platform=platform,
            mapping_version=NATIVE_MAPPING if native else f"{name}/1",
        )
    from hubbub.sources.registry import get_format

    fmt = get_format(name)
    return ParseSettings(
        mapping=mapping,
        platform=platform,
        mapping_version=fmt.mapping_version,
        value_parser=fmt.parse,
    )


def remap(store: Store, landing: Landing, source: str | None = None) -> RemapReport:
    report = RemapReport()
    rows = store.con.execute(
        "SELECT source, state FROM checkpoints WHERE state IS NOT NULL"
        + (" AND source = ?" if source else "")
        + " ORDER BY source",
        [source] if source else [],
    ).fetchall()
    now = datetime.now(UTC)
    for key, state in rows:
        options = orjson.loads(state)
        settings = settings_from_options(options)
        report.sources += 1
        for path in landing.segments(key):
            report.segments += 1
            lines = landing.read_segment(path)
            segment = Segment(path, f"{path.parent.name}/{path.name}")
            if options.get("kind", "ndjson") == "ndjson":
                parsed = parse_ndjson_chunk(lines, 1, segment, now, settings)
            else:
                raw_lines = lines.split(b"\n")[:-1] if lines else []
                records = [orjson.loads(line) for line in raw_lines]
                parsed = parse_record_chunk(
                    records, list(range(1, len(records) + 1)), lines, segment, now, settings
                )
            with store.transaction():
                counts = (
                    store.upsert_posts(parsed.table, replace=True)
                    if parsed.table.num_rows
                    else None
                )
                if parsed.table.num_rows:
                    store.con.register("_remapped", parsed.table.select(["raw_ref"]))
                    before = store.one("SELECT count(*) FROM quarantine WHERE status = 'open'")
                    store.con.execute(
                        "UPDATE quarantine SET status = 'resolved' WHERE status = 'open'"
                        " AND raw_ref IN (SELECT raw_ref FROM _remapped)"
                    )
                    after = store.one("SELECT count(*) FROM quarantine WHERE status = 'open'")
                    store.con.unregister("_remapped")
                    report.unquarantined += (
                        int(before[0]) - int(after[0]) if before and after else 0
                    )
            report.read += parsed.read
            report.rejected += len(parsed.rejections)
            if counts is not None:
                report.new += counts.new
                report.updated += counts.updated
    return report

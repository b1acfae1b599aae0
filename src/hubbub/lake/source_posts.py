"""The real posts a generated lake is resampled from: a hubbub store, or files imported first.

Files go through the real importer (into a throwaway store), so generated posts are exactly what
hubbub would have stored: normalised, deduplicated, language-tagged, with fast-tier sentiment.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.lake.layout import ENRICHMENT_COLUMNS
from hubbub.model import POST_FIELDS
from hubbub.store import Store

SOURCE_COLUMNS: Final = (*POST_FIELDS, *ENRICHMENT_COLUMNS)
_DUCKDB_MAGIC: Final = b"DUCK"


def is_store(path: Path) -> bool:
    """A DuckDB database file (its header holds the magic at byte 8)."""
    try:
        with path.open("rb") as f:
            return f.read(12)[8:12] == _DUCKDB_MAGIC
    except OSError:
        return False


def _from_store(path: Path) -> pa.Table:
    store = Store(str(path), read_only=True)
    try:
        cols = ", ".join(SOURCE_COLUMNS)
        # Ordered by id: the same store gives the same rows in the same order (determinism).
        return store.query(f"SELECT {cols} FROM posts ORDER BY id")
    finally:
        store.close()


def load_source_posts(paths: Sequence[Path | str]) -> pa.Table:
    """Posts (Post fields + sentiment columns) from stores and/or post files, fast-tier labelled."""
    if not paths:
        raise HubbubError(
            "no source posts given", "pass --from FILE (NDJSON/CSV/Parquet or a store)"
        )
    stores = [Path(p) for p in paths if is_store(Path(p))]
    files = [Path(p) for p in paths if not is_store(Path(p))]
    for p in files:
        if not p.is_file():
            raise HubbubError(f"no such file: {p}", "check the --from path")
    tables = [_from_store(p) for p in stores]
    if files:
        from hubbub.api import Hubbub

        with tempfile.TemporaryDirectory(prefix="hubbub-generate-") as tmp:
            db = Path(tmp) / "source.duckdb"
            with Hubbub(str(db)) as hb:
                report = hb.import_files(files)
                if not report.new:
                    raise HubbubError(
                        f"no posts could be read from {', '.join(map(str, files))}",
                        "check the files with `hubbub import` first (see its rejections)",
                    )
            tables.append(_from_store(db))
    table = (
        pa.concat_tables([t.cast(tables[0].schema) for t in tables])
        if len(tables) > 1
        else tables[0]
    )
    if table.num_rows == 0:
        raise HubbubError("the source holds no posts", "import some posts into it first")
    from hubbub.enrich import enrich  # loads the models: only when generating

    # Stores imported with --no-enrich (or posts without a label) get the fast tier here.
    labelled = enrich(table, only={"sentiment"}, sentiment_model="fast")
    return labelled.select(list(SOURCE_COLUMNS))

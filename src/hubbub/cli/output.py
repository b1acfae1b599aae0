"""Printing Arrow tables as a Rich table, JSON lines or CSV."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

import orjson
import pyarrow as pa
from rich.table import Table

from hubbub.cli.common import out_console


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _cell(value: Any, width: int = 60) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(table: pa.Table, fmt: OutputFormat, columns: list[str] | None = None) -> None:
    if columns:
        table = table.select([c for c in columns if c in table.column_names])
    rows = table.to_pylist()
    if fmt is OutputFormat.json:
        for row in rows:
            sys.stdout.buffer.write(orjson.dumps(row, default=_json_default) + b"\n")
        sys.stdout.flush()
    elif fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(table.column_names)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row.values()])
    else:
        view = Table(show_lines=False, header_style="bold")
        for name in table.column_names:
            view.add_column(name, overflow="fold")
        for row in rows:
            view.add_row(*(_cell(v) for v in row.values()))
        out_console.print(view)


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, Enum):
        return value.value
    return str(value)


def dumps(obj: Any) -> str:
    return orjson.dumps(obj, default=_json_default, option=orjson.OPT_NAIVE_UTC).decode()


def print_report(as_json: bool, report: Any, line: str) -> None:
    """A command's report: one JSON object with `--json` (for scripts), else one readable line."""
    if as_json:
        sys.stdout.write(dumps(report) + "\n")
    else:
        out_console.print(line, highlight=False)

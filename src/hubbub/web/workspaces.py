"""Workspaces: each is one hubbub store (one DuckDB file), so isolation between them is structural.

A workspace's posts, topics, dashboards, users and tokens all live in its own file; nothing is
shared but the process. One connection per workspace, guarded by a lock (DuckDB connections are
not for concurrent use; analytics answer in milliseconds, so the lock is no bottleneck).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hubbub.api import Hubbub
from hubbub.errors import HubbubError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass
class Workspace:
    name: str
    hb: Hubbub
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def use(self) -> Iterator[Hubbub]:
        """The workspace's Hubbub, for the time of one request's work."""
        with self.lock:
            yield self.hb

    @property
    def base(self) -> str:
        """URL prefix of the workspace's pages."""
        return f"/w/{self.name}"


def parse_workspace_option(value: str) -> tuple[str, str]:
    """`NAME=PATH` (from `hubbub serve --workspace`) as (name, path)."""
    name, sep, path = value.partition("=")
    if not sep or not path:
        raise HubbubError(
            f"--workspace {value!r} is not NAME=PATH", "write e.g. --workspace acme=acme.duckdb"
        )
    return check_name(name), path


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise HubbubError(
            f"invalid workspace name {name!r}",
            "use lower-case letters, digits, - or _ (up to 40, starting with a letter or digit)",
        )
    return name


def open_workspaces(paths: dict[str, str]) -> dict[str, Workspace]:
    if not paths:
        raise HubbubError("no workspace to serve", "give --db PATH or --workspace NAME=PATH")
    return {check_name(name): Workspace(name, Hubbub(path)) for name, path in paths.items()}

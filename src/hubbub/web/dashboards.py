"""Saved dashboards of a workspace: a title and a list of panels, opened by a link (its slug).

The link works for every member of the workspace (the dashboard lives in the workspace's store)
and for nobody else (pages need a session of that workspace).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from hubbub.errors import HubbubError
from hubbub.store import Store
from hubbub.web.panels import PanelSpec


@dataclass
class Dashboard:
    slug: str
    title: str
    panels: list[PanelSpec]
    owner: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "panels": [p.as_dict() for p in self.panels],
            "owner": self.owner,
            "created_at": self.created_at,
        }


def _from_row(row: tuple[Any, ...]) -> Dashboard:
    panels = [PanelSpec(**p) for p in orjson.loads(row[2])]
    return Dashboard(row[0], row[1], panels, row[3], row[4])


def save_dashboard(store: Store, title: str, panels: list[PanelSpec], owner: str) -> Dashboard:
    title = title.strip()
    if not title or len(title) > 200:
        raise HubbubError("a dashboard needs a title of 1-200 characters", "give it a name")
    if not panels:
        raise HubbubError("a dashboard needs at least one panel", "pick the panels to show")
    for panel in panels:
        panel.check()
    slug = secrets.token_urlsafe(9)  # unguessable, but the link is no key: pages need a session
    store.con.execute(
        "INSERT INTO dashboards VALUES (?, ?, ?, ?, ?)",
        [
            slug,
            title,
            orjson.dumps([p.as_dict() for p in panels]).decode(),
            owner,
            datetime.now(UTC),
        ],
    )
    return get_dashboard(store, slug)


def get_dashboard(store: Store, slug: str) -> Dashboard:
    row = store.one(
        "SELECT slug, title, panels, owner, created_at FROM dashboards WHERE slug = ?", [slug]
    )
    if row is None:
        raise HubbubError(f"no dashboard {slug!r}", "see the list of dashboards")
    return _from_row(row)


def find_dashboard(store: Store, slug_or_title: str) -> Dashboard:
    """By slug, or else by exact title (for `hubbub report TITLE`)."""
    row = store.one(
        "SELECT slug, title, panels, owner, created_at FROM dashboards"
        " WHERE slug = ? OR title = ? ORDER BY slug = ? DESC, created_at LIMIT 1",
        [slug_or_title, slug_or_title, slug_or_title],
    )
    if row is None:
        raise HubbubError(f"no dashboard {slug_or_title!r}", "give a dashboard's title or slug")
    return _from_row(row)


def list_dashboards(store: Store) -> list[Dashboard]:
    rows = store.con.execute(
        "SELECT slug, title, panels, owner, created_at FROM dashboards ORDER BY created_at"
    ).fetchall()
    return [_from_row(r) for r in rows]


def delete_dashboard(store: Store, slug: str) -> None:
    get_dashboard(store, slug)
    store.con.execute("DELETE FROM dashboards WHERE slug = ?", [slug])

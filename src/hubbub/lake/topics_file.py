"""A topics FILE (`--topics`): YAML or JSON, a list of {name, query, group} (also under a
`topics:` key) or a {name: query} map.

The generator, the lake panels and the benchmarks read the same file, so a share-of-voice group
means the same topics everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml

from hubbub.errors import HubbubError


@dataclass(frozen=True)
class TopicSpec:
    name: str
    query: str
    group: str | None = None


def read_topics(path: Path | str) -> list[TopicSpec]:
    """Topics from `path`, in file order; a clear error names the file and the bad entry."""
    path = Path(path)
    if not path.is_file():
        raise HubbubError(f"no such topics file: {path}", "pass a YAML or JSON file of topics")
    try:
        raw = path.read_bytes()
        data: Any = orjson.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        raise HubbubError(
            f"{path}: not valid YAML/JSON ({str(exc).splitlines()[0]})", "fix the file's syntax"
        ) from None
    return parse_topics(data, str(path))


def parse_topics(data: Any, where: str = "topics") -> list[TopicSpec]:
    hint = "write a list of {name: ..., query: ..., group: ...} or a map of name: query"
    if isinstance(data, dict) and isinstance(data.get("topics"), list):
        data = data["topics"]  # {"topics": [...]}, as the Spark job's topics file allows
    elif isinstance(data, dict):
        data = [{"name": k, "query": v} for k, v in data.items()]
    if not isinstance(data, list):
        raise HubbubError(f"{where}: expected a list of topics", hint)
    topics: list[TopicSpec] = []
    seen: set[str] = set()
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise HubbubError(f"{where}: topic {number} has no name", hint)
        name, query, group = item["name"], item.get("query"), item.get("group")
        if not isinstance(query, str) or not query.strip():
            raise HubbubError(f"{where}: topic {name!r} has no query", hint)
        if group is not None and not isinstance(group, str):
            raise HubbubError(f"{where}: topic {name!r}: group must be text", hint)
        if name in seen:
            raise HubbubError(f"{where}: topic {name!r} appears twice", "give each topic one name")
        seen.add(name)
        topics.append(TopicSpec(name, query, group))
    return topics


def group_members(topics: list[TopicSpec], group: str) -> list[str]:
    members = [t.name for t in topics if t.group == group]
    if not members:
        raise HubbubError(
            f"no topics in group {group!r}", "give some topics `group: " + group + "` in the file"
        )
    return members

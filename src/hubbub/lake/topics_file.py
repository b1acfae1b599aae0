"""A topics FILE (`hubbub spark run --topics`, `hubbub generate --topics`, the benchmarks):
a YAML or JSON list of topics.

    - name: nike
      query: nike OR #justdoit
      group: brands          # optional

`{"topics": [...]}` is accepted too, and so is the JSON `hubbub topics list --json` prints (its
extra keys are ignored), so the topics of a store can be handed to a Spark job as they are,
and so is a plain {name: query} map. The Spark job, the generator, the lake panels and the
benchmarks read the same file, so a share-of-voice group means the same topics everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hubbub.errors import HubbubError
from hubbub.query import compile_topics


@dataclass(frozen=True)
class TopicSpec:
    name: str
    query: str
    group: str | None = None


_EXAMPLE = "a list like [{name: nike, query: 'nike OR #justdoit', group: brands}]"


def load_topics_file(path: str | Path) -> list[TopicSpec]:
    """Read and check a topics file; every query is compiled, so a bad one fails here."""
    file = Path(path)
    try:
        doc: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise HubbubError(
            f"cannot read the topics file {file}: {exc.strerror}", "check the path"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise HubbubError(f"{file}: not valid YAML or JSON{where}", f"write {_EXAMPLE}") from None
    if isinstance(doc, dict) and "topics" in doc:
        doc = doc["topics"]
    elif isinstance(doc, dict):
        doc = [{"name": k, "query": v} for k, v in doc.items()]
    if not isinstance(doc, list) or not doc:
        raise HubbubError(f"{file}: expected a non-empty list of topics", f"write {_EXAMPLE}")
    topics: list[TopicSpec] = []
    for number, item in enumerate(doc, start=1):
        where = f"{file}: topic {number}"
        if not isinstance(item, dict):
            raise HubbubError(f"{where} is not a mapping", f"write {_EXAMPLE}")
        name, query, group = item.get("name"), item.get("query"), item.get("group")
        if not isinstance(name, str) or not name.strip():
            raise HubbubError(f"{where} has no name", "give each topic a `name`")
        if not isinstance(query, str) or not query.strip():
            raise HubbubError(f"{where} ({name}) has no query", "give each topic a `query`")
        if group is not None and not isinstance(group, str):
            raise HubbubError(f"{where} ({name}): group must be text", "e.g. group: competitors")
        topics.append(TopicSpec(name.strip(), query, group))
    names = [t.name for t in topics]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise HubbubError(
            f"{file}: topic names appear twice: {', '.join(duplicates)}",
            "give each topic its own name",
        )
    compile_topics({t.name: t.query for t in topics})  # a bad query names its topic and place
    return topics


def group_members(topics: list[TopicSpec], group: str) -> list[str]:
    members = [t.name for t in topics if t.group == group]
    if not members:
        raise HubbubError(
            f"no topics in group {group!r}", "give some topics `group: " + group + "` in the file"
        )
    return members

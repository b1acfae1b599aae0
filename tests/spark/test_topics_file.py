"""The topics file of `hubbub spark run`: YAML, JSON, or what `hubbub topics list --json` prints;
and bad files fail with the file, the topic and the fix (no Spark needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubbub.errors import HubbubError
from hubbub.lake.topics_file import TopicSpec, load_topics_file
from tests.core.helpers import run_cli


def test_yaml_and_topics_list_json(tmp_path: Path) -> None:
    yaml_file = tmp_path / "topics.yaml"
    yaml_file.write_text(
        "topics:\n  - name: nike\n    query: 'nike OR #justdoit'\n    group: brands\n"
        "  - {name: adidas, query: adidas}\n"
    )
    assert load_topics_file(yaml_file) == [
        TopicSpec("nike", "nike OR #justdoit", "brands"),
        TopicSpec("adidas", "adidas", None),
    ]
    db = tmp_path / "h.duckdb"
    assert (
        run_cli("--db", db, "topics", "add", "united", "@united", "--group", "air").returncode == 0
    )
    listed = run_cli("--db", db, "topics", "list", "--json")
    (tmp_path / "store.json").write_text(listed.stdout)
    assert load_topics_file(tmp_path / "store.json") == [TopicSpec("united", "@united", "air")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "non-empty list of topics"),
        ("- nike\n", "topic 1 is not a mapping"),
        ("- {query: nike}\n", "topic 1 has no name"),
        ("- {name: a, query: a}\n- {name: b}\n", "topic 2 (b) has no query"),
        ("- {name: a, query: a}\n- {name: a, query: b}\n", "names appear twice: a"),
        ("- {name: a, query: '(a OR'}\n", "topic 'a'"),
        ("- {name: a, query: [x\n", "not valid YAML or JSON at line"),
    ],
)
def test_bad_topics_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(text)
    with pytest.raises(HubbubError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_topics_file(path)

"""Every command and every option says what it does (the CLI help is the documentation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from hubbub.cli import app


def walk(command: Any, path: str = "hubbub") -> Iterator[tuple[str, Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, f"{path} {name}")


def test_every_command_and_option_has_help() -> None:
    missing = []
    root = typer.main.get_command(app)
    for path, command in walk(root):
        if not (command.help or command.short_help):
            missing.append(path)
        for param in command.params:
            if (
                param.param_type_name == "option"
                and not getattr(param, "help", None)
                and param.name != "help"
            ):
                missing.append(f"{path} {param.opts[0]}")
    assert not missing, "undocumented: " + ", ".join(missing)

"""`hubbub similar`: the stored posts most like a post or a text (cosine over embeddings)."""

from __future__ import annotations

from typing import Annotated

import typer

from hubbub.cli.common import open_hubbub
from hubbub.cli.output import OutputFormat, print_table

TABLE_COLUMNS = ("rank", "score", "id", "author_handle", "text")

EmbeddingModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        help="static (default, base install) or minilm (needs: pip install 'hubbub[embeddings]').",
    ),
]


def similar_command(
    ctx: typer.Context,
    post_id: Annotated[
        str | None, typer.Argument(help="A stored post id (platform:native_id).")
    ] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-t", help="Find posts like this text instead.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many posts (1-1000).")] = 10,
    model: EmbeddingModelOpt = "static",
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Posts most similar to POST_ID (itself left out) or to --text, best first, with their
    cosine similarity. Posts without a cached embedding are embedded first (once)."""
    with open_hubbub(ctx) as hb:
        table = hb.similar(post_id, text=text, limit=limit, model=model)
    # A terminal table keeps what a reader scans; json and csv carry every column.
    columns = list(TABLE_COLUMNS) if format is OutputFormat.table else None
    print_table(table, format, columns)


def register(app: typer.Typer) -> None:
    app.command("similar")(similar_command)

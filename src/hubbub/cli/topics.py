"""`hubbub topics ...` and `hubbub search`: monitored queries and ad-hoc search of stored posts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from hubbub.api import Hubbub
from hubbub.cli.common import open_hubbub, out_console
from hubbub.cli.output import OutputFormat, dumps, print_table
from hubbub.query import parse
from hubbub.topics import add_topic, edit_topic, get_topic, list_topics, remove_topic, search
from hubbub.topics import test_query as run_test_query

topics_app = typer.Typer(
    help="Monitored topics: named boolean queries, matched on every import.", no_args_is_help=True
)

Query = Annotated[
    str, typer.Argument(help="A query, e.g. 'nike AND (\"just do it\" OR #justdoit) NOT adidas'.")
]


def _open(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


@topics_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Topic name.")],
    query: Query,
    group: Annotated[
        str | None,
        typer.Option("--group", "-g", help="Group, e.g. competitors (for share of voice)."),
    ] = None,
) -> None:
    """Add a topic; its query is checked and matched against every stored post."""
    with _open(ctx) as hb:
        topic = add_topic(hb.store, name, query, group)
    out_console.print(
        f"topic [bold]{topic.name}[/] added: {topic.matches:,} stored posts match", highlight=False
    )


@topics_app.command("list")
def list_(
    ctx: typer.Context, json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """List topics with their group and number of matched posts."""
    with _open(ctx) as hb:
        topics = list_topics(hb.store)
    if json_:
        sys.stdout.write(dumps([t.as_dict() for t in topics]) + "\n")
        return
    if not topics:
        out_console.print("no topics yet: hubbub topics add NAME QUERY")
        return
    import pyarrow as pa

    print_table(
        pa.Table.from_pylist(
            [
                {"name": t.name, "group": t.group, "matches": t.matches, "query": t.query}
                for t in topics
            ]
        ),
        OutputFormat.table,
    )


@topics_app.command("show")
def show(
    ctx: typer.Context,
    name: str,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one topic."""
    with _open(ctx) as hb:
        topic = get_topic(hb.store, name)
    if json_:
        sys.stdout.write(dumps(topic.as_dict()) + "\n")
        return
    for key, value in topic.as_dict().items():
        out_console.print(f"[bold]{key}[/]: {value}", highlight=False)


@topics_app.command("edit")
def edit(
    ctx: typer.Context,
    name: str,
    query: Annotated[str | None, typer.Argument(help="The new query.")] = None,
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="Move the topic to this group.")
    ] = None,
) -> None:
    """Change a topic's query (stored posts are matched again) or group."""
    with _open(ctx) as hb:
        topic = edit_topic(hb.store, name, query, group)
    out_console.print(
        f"topic [bold]{topic.name}[/] updated: {topic.matches:,} stored posts match",
        highlight=False,
    )


@topics_app.command("remove")
def remove(ctx: typer.Context, name: str) -> None:
    """Remove a topic and its matches."""
    with _open(ctx) as hb:
        remove_topic(hb.store, name)
    out_console.print(f"topic [bold]{name}[/] removed", highlight=False)


@topics_app.command("test")
def test(
    ctx: typer.Context,
    query: Query,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Sample matches to show.")] = 5,
) -> None:
    """Check a query and show how many stored posts it matches, with a sample."""
    parse(query)  # a bad query is reported before the database is opened
    with _open(ctx) as hb:
        total, sample = run_test_query(hb.store, query, limit)
    out_console.print(f"query is valid; {total:,} stored posts match", highlight=False)
    if sample.num_rows:
        print_table(sample, OutputFormat.table, ["created_at", "author_handle", "text"])


@topics_app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    topic: Annotated[str, typer.Argument(help="A topic name, or a query.")],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to show.")] = 5,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Suggest exclusions (NOT w) that make a topic more precise and words (OR w) that widen it."""
    from hubbub.analytics.suggest import suggest

    with _open(ctx) as hb:
        names = {t.name: t.query for t in list_topics(hb.store)}
        query = names.get(topic, topic)
        result = suggest(hb.store, query, limit=limit)
    if json_:
        sys.stdout.write(dumps(result) + "\n")
        return
    out_console.print(
        f"[bold]{query}[/] matches {result['matched']:,} stored posts", highlight=False
    )
    for s in result["exclude"]:
        example = (s["examples"] or [""])[0][:90]
        out_console.print(
            f"  exclude [bold]NOT {s['term']}[/]: -{s['posts_removed']:,} posts, e.g. {example!r}",
            highlight=False,
        )
    for a in result["add"]:
        out_console.print(
            f"  add [bold]OR {a['term']}[/]: +{a['posts_added']:,} posts", highlight=False
        )


def search_command(
    ctx: typer.Context,
    query: Query,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many to show.")] = 20,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Search stored posts with the query language (newest first)."""
    with _open(ctx) as hb:
        total, posts = search(hb.store, query, limit)
    if format is OutputFormat.table:
        out_console.print(f"{total:,} posts match", highlight=False)
        print_table(posts, format, ["created_at", "platform", "author_handle", "text"])
    else:
        print_table(posts, format)


def register(app: typer.Typer) -> None:
    app.add_typer(topics_app, name="topics")
    app.command("search")(search_command)

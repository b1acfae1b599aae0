"""`hubbub owned ...`, `hubbub creative ...`, `hubbub support ...`: the team features.

Each command calls the method of the same name on `hb.owned`, `hb.creative` or `hb.support`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.table import Table

from hubbub.api import Hubbub
from hubbub.cli.common import open_hubbub, out_console
from hubbub.cli.output import OutputFormat, dumps, print_table
from hubbub.errors import HubbubError

if TYPE_CHECKING:
    from hubbub.teams.performance import Slot

owned_app = typer.Typer(
    help="Accounts that are ours, and how their posts perform.", no_args_is_help=True
)
creative_app = typer.Typer(
    help="Creative testing: compare variants of a campaign on engagement rate.",
    no_args_is_help=True,
)
support_app = typer.Typer(
    help="The support queue: posts to our accounts by urgency; assign, handle, response times.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Platform = Annotated[
    str, typer.Option("--platform", help="Platform of the account (default: every platform).")
]
Tz = Annotated[str, typer.Option("--tz", help="Time zone for weekdays and hours (IANA name).")]
Seed = Annotated[
    int, typer.Option("--seed", help="Seed of the bootstrap (same data, same answer).")
]


def _hb(ctx: typer.Context) -> Hubbub:
    return open_hubbub(ctx)  # type: ignore[no-any-return]


def _print_json(obj: Any) -> None:
    sys.stdout.write(dumps(obj) + "\n")


# -- owned ---------------------------------------------------------------------------------------
@owned_app.command("add")
def owned_add(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The account's handle, e.g. @acme.")],
    platform: Platform = "*",
    label: Annotated[str | None, typer.Option("--label", help="A name to show for it.")] = None,
) -> None:
    """Mark an account as ours: its posts get performance analytics, posts to it go to support."""
    with _hb(ctx) as hb:
        account = hb.owned.add(handle, platform, label)
    out_console.print(f"owned: @{account.handle} on {account.platform}", highlight=False)


@owned_app.command("remove")
def owned_remove(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="The account's handle.")],
    platform: Platform = "*",
) -> None:
    """Stop treating an account as ours."""
    with _hb(ctx) as hb:
        hb.owned.remove(handle, platform)
    out_console.print(f"removed @{handle.lstrip('@')}", highlight=False)


@owned_app.command("list")
def owned_list(ctx: typer.Context, json_: Json = False) -> None:
    """The owned accounts."""
    with _hb(ctx) as hb:
        accounts = [a.as_dict() for a in hb.owned.list()]
    if json_:
        _print_json(accounts)
        return
    if not accounts:
        out_console.print("no owned accounts yet: `hubbub owned add @handle`")
        return
    for a in accounts:
        out_console.print(f"@{a['handle']}  {a['platform']}  {a['label'] or ''}", highlight=False)


@owned_app.command("posts")
def owned_posts(
    ctx: typer.Context,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Every owned post with engagement, engagement rates and format."""
    with _hb(ctx) as hb:
        table = hb.owned.posts()
    print_table(
        table,
        format,
        None
        if format is not OutputFormat.table
        else [
            "created_at",
            "author_handle",
            "format",
            "engagement",
            "rate_followers",
            "rate_views",
            "text",
        ],
    )


def _interval(low: float | None, high: float | None, pct: bool) -> str:
    if low is None or high is None:
        return "(too few posts)"
    return f"[{low:.2%} - {high:.2%}]" if pct else f"[{low:.2f} - {high:.2f}]"


def _chart(slots: list[Slot], pct: bool, width: int = 40) -> None:
    """Bars with the interval drawn on the same scale: a point estimate is never shown alone."""
    top = max([s.high or s.value for s in slots if s.value == s.value] or [0.0]) or 1.0
    for s in slots:
        value = s.value if s.value == s.value else 0.0
        line = [" "] * width
        for i in range(round(value / top * width)):
            line[i] = "█"
        if s.low is not None and s.high is not None:
            lo, hi = round(s.low / top * (width - 1)), round(s.high / top * (width - 1))
            for i in range(lo, hi + 1):
                line[i] = "─" if line[i] == " " else "▓"
            line[lo], line[hi] = "├", "┤"
        shown = f"{value:.2%}" if pct else f"{value:.2f}"
        out_console.print(
            f"{s.key:>8} {''.join(line)} {shown:>7} {_interval(s.low, s.high, pct)} n={s.n}",
            highlight=False,
        )


@owned_app.command("performance")
def owned_performance(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="format, hashtag, weekday or hour.")] = "format",
    rate: Annotated[
        str, typer.Option("--rate", help="Engagement rate per followers (at posting) or per views.")
    ] = "followers",
    tz: Tz = "UTC",
    limit: Annotated[int, typer.Option("--limit", help="Most hashtags to show.")] = 20,
    seed: Seed = 0,
    json_: Json = False,
) -> None:
    """Engagement and engagement rate of owned posts by format, hashtag, weekday or hour."""
    with _hb(ctx) as hb:
        result = hb.owned.performance(by, rate=rate, tz=tz, limit=limit, seed=seed)
    if json_:
        _print_json(result.as_dict())
        return
    out_console.print(f"{result.posts:,} owned posts; {result.definition}", highlight=False)
    if not result.slots:
        out_console.print("no owned post has the counts to compute a rate yet")
        return
    _chart(result.slots, pct=True)


@owned_app.command("best-times")
def owned_best_times(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help="hour (of day) or weekday.")] = "hour",
    tz: Tz = "UTC",
    basis: Annotated[
        str,
        typer.Option(
            "--basis", help="auto, owned (our engagement rate) or audience (when they post)."
        ),
    ] = "auto",
    seed: Seed = 0,
    json_: Json = False,
) -> None:
    """When to post: each slot with its 90% interval, and whether the best one is a sure answer."""
    with _hb(ctx) as hb:
        result = hb.owned.best_times(by, tz=tz, basis=basis, seed=seed)
    if json_:
        _print_json(result.as_dict())
        return
    out_console.print(
        f"[bold]best time to post[/] ({result.basis}: {result.unit}, {tz}, 90% intervals)"
    )
    _chart(result.slots, pct=result.basis != "audience activity")
    out_console.print(result.note, highlight=False)


# -- creative ------------------------------------------------------------------------------------
Campaign = Annotated[str, typer.Argument(help="The campaign's name.")]
Variant = Annotated[str, typer.Argument(help="The variant's name.")]


@creative_app.command("add")
def creative_add(
    ctx: typer.Context,
    campaign: Campaign,
    variant: Variant,
    rule: Annotated[
        str | None,
        typer.Option("--rule", help="A query: owned posts matching it are this variant."),
    ] = None,
) -> None:
    """Define a variant of a campaign (by a rule, or tag its posts with `creative tag`)."""
    with _hb(ctx) as hb:
        hb.creative.add(campaign, variant, rule)
    out_console.print(f"{campaign} / {variant} defined", highlight=False)


@creative_app.command("tag")
def creative_tag(
    ctx: typer.Context,
    campaign: Campaign,
    variant: Variant,
    post_ids: Annotated[list[str], typer.Argument(help="Post ids (platform:native_id).")],
) -> None:
    """Put posts into a variant by hand."""
    with _hb(ctx) as hb:
        n = hb.creative.tag(campaign, variant, post_ids)
    out_console.print(f"{n} posts in {campaign} / {variant}", highlight=False)


@creative_app.command("list")
def creative_list(ctx: typer.Context, json_: Json = False) -> None:
    """Campaigns and their variants."""
    with _hb(ctx) as hb:
        rows = hb.creative.list()
    if json_:
        _print_json(rows)
        return
    for r in rows:
        out_console.print(
            f"{r['campaign']} / {r['variant']}  {r['rule'] or '(tagged posts)'}", highlight=False
        )


@creative_app.command("remove")
def creative_remove(ctx: typer.Context, campaign: Campaign) -> None:
    """Delete a campaign's variants and tags (the posts stay)."""
    with _hb(ctx) as hb:
        hb.creative.remove(campaign)
    out_console.print(f"removed {campaign}", highlight=False)


@creative_app.command("compare")
def creative_compare(
    ctx: typer.Context,
    campaign: Campaign,
    trials: Annotated[
        str,
        typer.Option(
            "--trials", help="Rate per views, per followers, or auto (views if all have them)."
        ),
    ] = "auto",
    min_posts: Annotated[
        int,
        typer.Option("--min-posts", help="Fewest posts per variant before a winner can be called."),
    ] = 5,
    alpha: Annotated[
        float, typer.Option("--alpha", help="False-winner risk allowed across the variants.")
    ] = 0.02,
    seed: Seed = 0,
    json_: Json = False,
) -> None:
    """Which variant wins on engagement rate, and how sure that is (or: not enough data)."""
    with _hb(ctx) as hb:
        result = hb.creative.compare(
            campaign, trials=trials, min_posts=min_posts, alpha=alpha, seed=seed
        )
    if json_:
        _print_json(result.as_dict())
        return
    table = Table(header_style="bold")
    for col in (
        "variant",
        "posts",
        "engagement",
        result.trials_from,
        "rate",
        "90% interval",
        "P(best)",
    ):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for v in result.variants:
        table.add_row(
            v.variant,
            f"{v.posts:,}",
            f"{v.engagement:,}",
            f"{v.trials:,}",
            "" if v.rate is None else f"{v.rate:.2%}",
            _interval(v.low, v.high, pct=True),
            "" if v.p_best is None else f"{v.p_best:.1%}",
        )
    out_console.print(table)
    out_console.print(result.verdict, highlight=False)


# -- support -------------------------------------------------------------------------------------
PostId = Annotated[str, typer.Argument(help="The post's id (platform:native_id).")]


@support_app.command("queue")
def support_queue(
    ctx: typer.Context,
    status: Annotated[
        str,
        typer.Option(
            "--status", help="open, assigned, handled, unhandled (open + assigned) or all."
        ),
    ] = "unhandled",
    intent: Annotated[
        str | None, typer.Option("--intent", help="Only complaint, question, praise or other.")
    ] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="Only this teammate's posts.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Most posts to show.")] = 20,
    format: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv.")
    ] = OutputFormat.table,
) -> None:
    """Posts mentioning or replying to owned accounts, most urgent first (urgency 0-100)."""
    with _hb(ctx) as hb:
        if not hb.owned.list():
            raise HubbubError("no owned accounts", "mark yours first: `hubbub owned add @handle`")
        table = hb.support.queue(
            status=None if status == "all" else status,
            intent=intent,
            assignee=assignee,
            limit=limit,
        )
    if format is OutputFormat.table:
        from hubbub.teams.support import WEIGHTS

        weights = ", ".join(f"{k} {v:.0%}" for k, v in WEIGHTS.items())
        out_console.print(f"urgency = {weights}", highlight=False)
    print_table(
        table,
        format,
        [
            "urgency",
            "post_id",
            "intent",
            "reason",
            "status",
            "assignee",
            "waiting_hours",
            "author_handle",
            "text",
        ]
        if format is OutputFormat.table
        else None,
    )


@support_app.command("assign")
def support_assign(
    ctx: typer.Context,
    post_id: PostId,
    assignee: Annotated[str, typer.Argument(help="The teammate's user name.")],
) -> None:
    """Give a post to a teammate."""
    with _hb(ctx) as hb:
        hb.support.assign(post_id, assignee)
    out_console.print(f"{post_id} assigned to {assignee}", highlight=False)


@support_app.command("handle")
def support_handle(
    ctx: typer.Context,
    post_id: PostId,
    by: Annotated[
        str | None, typer.Option("--by", help="Who handled it (default: the assignee).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
) -> None:
    """Mark a post handled; it leaves the queue and counts in response times."""
    with _hb(ctx) as hb:
        hb.support.handle(post_id, by, note)
    out_console.print(f"{post_id} handled", highlight=False)


@support_app.command("reopen")
def support_reopen(ctx: typer.Context, post_id: PostId) -> None:
    """Put a handled post back in the queue."""
    with _hb(ctx) as hb:
        hb.support.reopen(post_id)
    out_console.print(f"{post_id} reopened", highlight=False)


@support_app.command("stats")
def support_stats(ctx: typer.Context, json_: Json = False) -> None:
    """Open, assigned and handled counts; hours to handle (median, p90) and to first reply."""
    with _hb(ctx) as hb:
        result = hb.support.stats()
    if json_:
        _print_json(result.as_dict())
        return

    def hours(v: float | None) -> str:
        return "-" if v is None else f"{v:,.1f} h"

    out_console.print(
        f"open {result.open:,} · assigned {result.assigned:,} · handled {result.handled:,}\n"
        f"time to handle: median {hours(result.handle_hours_median)}, p90 {hours(result.handle_hours_p90)}\n"
        f"answered by an owned account: {result.replied:,}, first reply median {hours(result.first_reply_hours_median)}",
        highlight=False,
    )
    if result.by_reason:
        out_console.print(
            "complaints by reason: " + ", ".join(f"{k} {v:,}" for k, v in result.by_reason.items()),
            highlight=False,
        )


@support_app.command("train-reasons")
def support_train_reasons(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A labelled CSV/TSV: one post per row, with its reason.")
    ],
    text_col: Annotated[
        str, typer.Option("--text-col", help="Column with the post text.")
    ] = "text",
    label_col: Annotated[
        str, typer.Option("--label-col", help="Column with the complaint reason.")
    ] = "reason",
    name: Annotated[str, typer.Option("--name", help="Name of the stored model.")] = "default",
    holdout: Annotated[
        float, typer.Option("--holdout", help="Share of rows held out for scoring.")
    ] = 0.2,
    keywords: Annotated[
        Path | None,
        typer.Option(
            "--keywords", help="JSON {reason: [keywords]} for the baseline (default: generic)."
        ),
    ] = None,
    keyword_fallback: Annotated[
        str | None,
        typer.Option("--keyword-fallback", help="Baseline's reason when no keyword occurs."),
    ] = None,
    seed: Seed = 0,
    json_: Json = False,
) -> None:
    """Train the complaint-reason model on your labels; prints held-out macro-F1 vs keywords."""
    lexicon = None
    if keywords is not None:
        try:
            lexicon = orjson.loads(keywords.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise HubbubError(
                f"cannot read keywords from {keywords}: {exc}",
                'give a JSON object {"reason": ["word", ...]}',
            ) from exc
    with _hb(ctx) as hb:
        metrics = hb.support.train_reasons(
            file,
            text_col=text_col,
            label_col=label_col,
            name=name,
            holdout=holdout,
            seed=seed,
            keywords=lexicon,
            keyword_fallback=keyword_fallback,
        )
    if json_:
        _print_json(metrics)
        return
    m, b = metrics["model"], metrics["keyword_baseline"]
    out_console.print(
        f"trained on {metrics['train']:,} rows, scored on {metrics['held_out']:,} held out:\n"
        f"  model    macro-F1 {m['macro_f1']:.3f}  accuracy {m['accuracy']:.3f}\n"
        f"  keywords macro-F1 {b['macro_f1']:.3f}  accuracy {b['accuracy']:.3f}\n"
        f"stored as '{name}' (refit on all {metrics['rows']:,} rows); complaints are now classified with it",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(owned_app, name="owned")
    app.add_typer(creative_app, name="creative")
    app.add_typer(support_app, name="support")

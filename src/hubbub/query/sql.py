"""The SQL back end: a query -> a DuckDB predicate over stored posts.

Word matching must mean exactly what it means in the stream matcher, so the SQL uses the same
tokenizer, registered in DuckDB as vectorised (Arrow) Python functions (`hubbub_tokens`,
`hubbub_tokens_exact`, `hubbub_fold`, see `register_functions`). Re-implementing the tokenizer
with DuckDB's regexp functions was the alternative; it would drift from the Python one on the
edges of Unicode (punctuation classes, NFKD folding, URLs), which is exactly where users notice.
The boolean logic, phrases, proximity and fields are plain SQL over the token lists (list
functions and lambdas).

- `to_sql(q)`: a predicate over the posts columns, usable as `... FROM posts WHERE {to_sql(q)}`
  (each token list computed in place, once per row).
- `search_sql(q)`: a SELECT that computes each needed token list once per row.
- `tokenized_table(con, name)`: a temporary copy of posts with every token list, for running
  many queries (the test corpus, query suggestions).
"""

from __future__ import annotations

import re
from itertools import count
from typing import Final

import duckdb
import pyarrow as pa

from hubbub.query.ast import And, Attr, Near, Node, Not, Or, Phrase, Range, Term
from hubbub.query.parser import parse
from hubbub.query.tokens import fold, tokenize

_TOKENS: Final = {"text": "_tt", "title": "_ti"}
_EXACT: Final = {"text": "_et", "title": "_ei"}


def _tokens_udf(texts: pa.Array) -> pa.Array:
    return pa.array([list(tokenize(t).folded) for t in texts.to_pylist()], pa.list_(pa.string()))


def _exact_udf(texts: pa.Array) -> pa.Array:
    return pa.array([list(tokenize(t).original) for t in texts.to_pylist()], pa.list_(pa.string()))


def _fold_udf(texts: pa.Array) -> pa.Array:
    return pa.array([None if t is None else fold(t) for t in texts.to_pylist()], pa.string())


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Make the tokenizer available to SQL on this connection (idempotent)."""
    existing = {
        r[0]
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'hubbub_%'"
        ).fetchall()
    }
    specs = [
        ("hubbub_tokens", _tokens_udf, "VARCHAR[]"),
        ("hubbub_tokens_exact", _exact_udf, "VARCHAR[]"),
        ("hubbub_fold", _fold_udf, "VARCHAR"),
    ]
    for name, fn, result in specs:
        if name not in existing:
            con.create_function(  # type: ignore[call-overload]
                name,
                fn,
                ["VARCHAR"],
                result,
                type="arrow",
                null_handling="special",
                side_effects=False,
            )


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _regex(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


class _Translator:
    """Emits SQL over the row alias `alias`. Token lists are read from precomputed columns
    (`alias._tt`, see `search_sql`), or with `inline` from lambda parameters (`_tt`) that
    `to_sql` binds."""

    def __init__(self, alias: str = "p", inline: bool = False) -> None:
        self.names = count()
        self.used: set[str] = set()
        self.alias = alias
        self.inline = inline

    def var(self) -> str:
        return f"x{next(self.names)}"

    def token_cond(self, term: Term, token: str) -> str:
        """SQL that is true when one token expression matches the term (see term_matches)."""
        hashtag_rule = term.value[:1] != "#"
        if term.wildcard:
            rx = _literal(_regex(term.value))
            cond = f"regexp_full_match({token}, {rx})"
            if hashtag_rule:
                cond += f" OR ({token}[1] = '#' AND regexp_full_match({token}[2:], {rx}))"
            return f"coalesce({cond}, false)"
        if hashtag_rule:
            return f"coalesce({token} IN ({_literal(term.value)}, {_literal('#' + term.value)}), false)"
        return f"coalesce({token} = {_literal(term.value)}, false)"

    def token_list(self, term: Term, field: str) -> str:
        name = (_EXACT if term.exact else _TOKENS)[field]
        self.used.add(name)
        return name if self.inline else f"{self.alias}.{name}"

    def term(self, node: Term, field: str) -> str:
        lst = self.token_list(node, field)
        if not node.wildcard:
            vals = [node.value] + (["#" + node.value] if node.value[:1] != "#" else [])
            return "(" + " OR ".join(f"list_contains({lst}, {_literal(v)})" for v in vals) + ")"
        t = self.var()
        return f"(len(list_filter({lst}, lambda {t}: {self.token_cond(node, t)})) > 0)"

    def at(self, term: Term, field: str, index: str) -> str:
        return self.token_cond(term, f"{self.token_list(term, field)}[{index}]")

    def phrase(self, node: Phrase, field: str) -> str:
        base = self.token_list(Term("", node.fields), field)
        s = self.var()
        if node.slop is None:
            conds = " AND ".join(self.at(w, field, f"{s} + {j}") for j, w in enumerate(node.words))
            return f"(len(list_filter(range(1, len({base}) + 1), lambda {s}: {conds})) > 0)"
        width = len(node.words) + node.slop
        parts = []
        for w in node.words:
            i = self.var()
            parts.append(
                f"len(list_filter(range({s}, {s} + {width}), lambda {i}: {self.at(w, field, i)})) > 0"
            )
        return (
            f"(len(list_filter(range(1, len({base}) + 1), lambda {s}: {' AND '.join(parts)})) > 0)"
        )

    def near(self, node: Near, field: str) -> str:
        base = self.token_list(Term("", node.fields), field)
        i, j = self.var(), self.var()
        left = " OR ".join(self.at(t, field, i) for t in node.left)
        right = " OR ".join(self.at(t, field, j) for t in node.right)
        if node.ordered:
            dist = f"{j} > {i} AND {j} - {i} - 1 <= {node.distance}"
        else:
            dist = f"{j} <> {i} AND abs({j} - {i}) - 1 <= {node.distance}"
        inner = f"len(list_filter(range(1, len({base}) + 1), lambda {j}: ({right}) AND {dist})) > 0"
        return (
            f"(len(list_filter(range(1, len({base}) + 1), lambda {i}: ({left}) AND {inner})) > 0)"
        )

    def attr(self, node: Attr) -> str:
        values = ", ".join(_literal(v) for v in node.values)
        f = node.field
        if f == "authorVerified":
            return f"({self.alias}.author_verified IS NOT NULL AND {self.alias}.author_verified = {node.values[0]})"
        if f == "author":
            return (
                f"(ltrim(hubbub_fold(coalesce({self.alias}.author_handle, '')), '@') IN ({values}))"
            )
        if f == "site":
            d = self.var()
            folded = f"(CASE WHEN starts_with(hubbub_fold({d}), 'www.') THEN hubbub_fold({d})[5:] ELSE hubbub_fold({d}) END)"
            conds = " OR ".join(
                f"{folded} = {_literal(v)} OR ends_with({folded}, {_literal('.' + v)})"
                for v in node.values
            )
            return (
                f"(len(list_filter(coalesce({self.alias}.domains, []), lambda {d}: {conds})) > 0)"
            )
        if f == "url":
            return (
                "("
                + " OR ".join(
                    f"contains(hubbub_fold(coalesce({self.alias}.url, '')), {_literal(v)})"
                    for v in node.values
                )
                + ")"
            )
        if f == "links":
            link = self.var()
            conds = " OR ".join(
                f"contains(hubbub_fold({link}), {_literal(v)})" for v in node.values
            )
            return (
                f"(len(list_filter(coalesce({self.alias}.links, []), lambda {link}: {conds})) > 0)"
            )
        if f == "subreddit":
            conds = " OR ".join(
                f"contains(hubbub_fold(coalesce({self.alias}.url, '')), {_literal('/r/' + v + '/')})"
                for v in node.values
            )
            return f"(coalesce({self.alias}.platform = 'reddit', false) AND ({conds}))"
        column = {"language": "lang", "country": "country", "platform": "platform", "kind": "kind"}[
            f
        ]
        return f"(hubbub_fold(coalesce({self.alias}.{column}, '')) IN ({values}))"

    def range(self, node: Range) -> str:
        a = self.alias
        value = (
            f"(coalesce({a}.likes, 0) + coalesce({a}.replies, 0)"
            f" + coalesce({a}.reposts, 0) + coalesce({a}.quotes, 0))"
            if node.field == "engagement"
            else f"{a}.author_followers"
        )
        conds = [f"{value} IS NOT NULL"]
        if node.low is not None:
            conds.append(f"{value} >= {node.low}")
        if node.high is not None:
            conds.append(f"{value} <= {node.high}")
        return "(" + " AND ".join(conds) + ")"

    def node(self, node: Node) -> str:
        if isinstance(node, Term):
            return "(" + " OR ".join(self.term(node, f) for f in node.fields) + ")"
        if isinstance(node, Phrase):
            return "(" + " OR ".join(self.phrase(node, f) for f in node.fields) + ")"
        if isinstance(node, Near):
            return "(" + " OR ".join(self.near(node, f) for f in node.fields) + ")"
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(i) for i in node.items) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(i) for i in node.items) + ")"
        if isinstance(node, Not):
            return f"(NOT {self.node(node.item)})"
        if isinstance(node, Attr):
            return self.attr(node)
        return self.range(node)


def translate(query: str | Node, alias: str = "p") -> tuple[str, set[str]]:
    """(predicate over `alias`, the precomputed token columns it reads) - see `search_sql`."""
    node = parse(query) if isinstance(query, str) else query
    translator = _Translator(alias)
    return translator.node(node), translator.used


def to_sql(query: str | Node, table: str = "posts") -> str:
    """A DuckDB boolean predicate over the columns of `table` (the posts table, or a view with
    its columns): `SELECT * FROM posts WHERE {to_sql(q)}`. The connection needs
    `register_functions(con)` first, for the tokenizer. Raises QuerySyntaxError."""
    node = parse(query) if isinstance(query, str) else query
    translator = _Translator(table, inline=True)
    predicate = translator.node(node)
    # Each token list is computed once per row and bound to its name by a one-element
    # list_transform (DuckDB has no LET); inlining the call at every use would re-tokenize the
    # text inside the position lambdas, quadratically.
    for name in sorted(translator.used):
        function, column = TOKEN_COLUMNS[name].rstrip(")").split("(")
        tokens = f"{function}({table}.{column})"
        predicate = f"list_transform([{tokens}], lambda {name}: {predicate})[1]"
    return predicate


TOKEN_COLUMNS: Final = {
    "_tt": "hubbub_tokens(text)",
    "_ti": "hubbub_tokens(title)",
    "_et": "hubbub_tokens_exact(text)",
    "_ei": "hubbub_tokens_exact(title)",
}


def search_sql(
    query: str | Node, *, columns: str = "p.*", source: str = "posts", tokenized: bool = False
) -> str:
    """A SELECT over `source` returning the posts that match. With `tokenized`, `source` already
    has the token columns (see `tokenized_view`), which saves tokenizing for every query."""
    predicate, used = translate(query)
    if tokenized:
        return f"SELECT {columns} FROM {source} p WHERE {predicate}"
    computed = "".join(f", {TOKEN_COLUMNS[name]} AS {name}" for name in sorted(used))
    return f"SELECT {columns} FROM (SELECT *{computed} FROM {source}) p WHERE {predicate}"


def tokenized_table(con: duckdb.DuckDBPyConnection, name: str, source: str = "posts") -> None:
    """A temporary table of `source` with every token column, for running many queries."""
    register_functions(con)
    computed = ", ".join(f"{expr} AS {col}" for col, expr in TOKEN_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT *, {computed} FROM {source}")

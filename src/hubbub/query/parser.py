"""Lexer and recursive-descent parser: query text -> AST, or a QuerySyntaxError.

Grammar (operators are upper case; NEAR binds tighter than NOT, AND and OR):

    query    := sequence
    sequence := unary ( (AND | OR | NOT) unary )*     -- one kind of AND/OR per level
    unary    := NOT unary | near
    near     := operand ( NEAR/n[f] operand )*
    operand  := '(' sequence ')' | "phrase"[~n] | {Exact Case} | term | field ':' value

Decisions (see DESIGN.md "Query language"):

- `a NOT b` means a AND NOT b, so it cannot be mixed with OR at one level either.
- No implicit AND: adjacent terms are an error ("missing operator"), as in Brandwatch. Other
  tools read `nike shoes` as AND, OR or a phrase; refusing it means a query pasted from another
  tool never silently changes meaning. Words in a row are a phrase: `"nike shoes"`.
- Lower-case `and`/`or`/`not` between terms are an error whose hint says to write them upper
  case, or to quote them to search the word itself (`"not"`); `near/3` likewise.
- `"a b"~n`: every word inside some window of len(words) + n tokens, in any order.
  `a NEAR/n b`: at most n tokens between a and b, either order; `NEAR/nf`: b after a. Each side
  of NEAR is a word or an OR group of words (`(bag OR bags) NEAR/3 lost`).
- Wildcards `*` (any run of characters, possibly none) and `?` (exactly one) apply to one token;
  a word may not start with one (that would scan every token and is refused by the tools users
  come from).
- `<<<comments>>>` are dropped by the lexer, anywhere; a query of comments only is empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from hubbub.query.ast import (
    ALL_FIELDS,
    RANGE_FIELDS,
    TEXT_FIELDS,
    VALUE_FIELDS,
    And,
    Attr,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Range,
    Term,
)
from hubbub.query.errors import QuerySyntaxError
from hubbub.query.tokens import fold, tokenize

_FIELD_NAMES: Final = {f.lower(): f for f in ALL_FIELDS}
_NEAR: Final = re.compile(r"NEAR/(\d+)(f?)(?![\w/])")
_NEAR_LOOSE: Final = re.compile(r"near(/\w*)?(?![\w])", re.IGNORECASE)
_TERM_STOP: Final = set(' \t\r\n()"{}[]')
_VALUE_FIELDS_RAW: Final = {"url", "links", "site", "author"}  # values may hold ':' and '/'
#: Limits that keep every back end's work bounded (and recursion within Python's stack).
MAX_DEPTH: Final = 100  # nested parentheses and NOTs
MAX_DISTANCE: Final = 1000  # NEAR/n and "a b"~n
_INT64: Final = 2**63 - 1  # ranges compare with BIGINT columns


@dataclass(frozen=True)
class Lexeme:
    kind: str  # LPAREN RPAREN PHRASE EXACT RANGE AND OR NOT NEAR FIELD TERM END
    text: str
    start: int
    end: int
    slop: int | None = None
    distance: int = 0
    ordered: bool = False


def lex(query: str) -> list[Lexeme]:
    out: list[Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif query.startswith("<<<", i):
            end = query.find(">>>", i + 3)
            if end < 0:
                raise QuerySyntaxError("comment is not closed", query, i, "close it with >>>")
            i = end + 3
        elif c in "()":
            out.append(Lexeme("LPAREN" if c == "(" else "RPAREN", c, i, i + 1))
            i += 1
        elif c == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(
                    "quote is not closed", query, i, 'add the closing " of the phrase'
                )
            slop = None
            j = end + 1
            match = re.match(r"~(\d+)", query[j:])
            if match:
                slop = int(match.group(1))
                if slop > MAX_DISTANCE:
                    raise QuerySyntaxError(
                        f"~{slop} is too far", query, j, f"use at most ~{MAX_DISTANCE} words"
                    )
                j += match.end()
            elif query.startswith("~", j):
                raise QuerySyntaxError("~ needs a number of words", query, j, 'write "a b"~3')
            out.append(Lexeme("PHRASE", query[i + 1 : end], i, j, slop=slop))
            i = j
        elif c == "{":
            end = query.find("}", i + 1)
            if end < 0:
                raise QuerySyntaxError(
                    "{ is not closed", query, i, "exact-case terms look like {Apple}"
                )
            out.append(Lexeme("EXACT", query[i + 1 : end], i, end + 1))
            i = end + 1
        elif c == "[":
            end = query.find("]", i + 1)
            if end < 0:
                raise QuerySyntaxError("[ is not closed", query, i, "ranges look like [10 TO *]")
            out.append(Lexeme("RANGE", query[i + 1 : end], i, end + 1))
            i = end + 1
        elif c in ")]}":
            raise QuerySyntaxError(
                f"unexpected {c}", query, i, f"remove it or add the opening {'([{'[')]}'.index(c)]}"
            )
        else:
            i = _lex_word(query, i, out)
    out.append(Lexeme("END", "", n, n))
    return out


def _lex_word(query: str, i: int, out: list[Lexeme]) -> int:
    n = len(query)
    j = i
    while j < n and query[j] not in _TERM_STOP:
        j += 1
    word = query[i:j]
    near = _NEAR.match(query, i)
    if near and near.end() == j:
        if int(near.group(1)) > MAX_DISTANCE:
            raise QuerySyntaxError(
                f"{word} is too far", query, i, f"use at most NEAR/{MAX_DISTANCE}"
            )
        out.append(
            Lexeme("NEAR", word, i, j, distance=int(near.group(1)), ordered=bool(near.group(2)))
        )
        return j
    if (
        word.upper().startswith("NEAR")
        and _NEAR_LOOSE.fullmatch(word)
        and (word == "NEAR" or "/" in word)
    ):
        if word.startswith("NEAR"):
            raise QuerySyntaxError(
                "NEAR needs a distance", query, i, "write NEAR/3 (or NEAR/3f for in order)"
            )
        raise QuerySyntaxError(
            f"lower-case {word!r} is not an operator",
            query,
            i,
            f"operators are upper case: {word.upper()}",
        )
    if word in ("AND", "OR", "NOT"):
        out.append(Lexeme(word, word, i, j))
        return j
    name, colon, rest = word.partition(":")
    if colon and name and not rest.startswith("//"):
        field = _FIELD_NAMES.get(name.lower())
        if field is None:
            raise QuerySyntaxError(
                f"unknown field {name!r}",
                query,
                i,
                "fields are: " + ", ".join(f + ":" for f in ALL_FIELDS),
            )
        out.append(Lexeme("FIELD", field, i, i + len(name) + 1))
        if rest and field in _VALUE_FIELDS_RAW:
            out.append(Lexeme("TERM", rest, i + len(name) + 1, j))
            return j
        return _lex_word(query, i + len(name) + 1, out) if rest else i + len(name) + 1
    out.append(Lexeme("TERM", word, i, j))
    return j


class Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.lexemes = lex(query)
        self.pos = 0
        self.depth = 0

    def nest(self, at: Lexeme) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                "the query is nested too deeply",
                at,
                f"use at most {MAX_DEPTH} levels of ( ) and NOT",
            )

    @property
    def current(self) -> Lexeme:
        return self.lexemes[self.pos]

    def advance(self) -> Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def error(self, message: str, at: Lexeme | int, hint: str = "") -> QuerySyntaxError:
        offset = at.start if isinstance(at, Lexeme) else at
        return QuerySyntaxError(message, self.query, offset, hint)

    def parse(self) -> Node:
        if self.current.kind == "END":
            raise self.error(
                "the query is empty",
                0,
                'write a term such as nike, or a phrase such as "just do it"',
            )
        node = self.sequence()
        if self.current.kind == "RPAREN":
            raise self.error("unexpected )", self.current, "remove it or add the opening (")
        if self.current.kind != "END":  # pragma: no cover - sequence consumes everything else
            raise self.error(f"unexpected {self.current.text!r}", self.current)
        return node

    def sequence(self) -> Node:
        items: list[Node] = [self.unary()]
        negated: list[bool] = [False]
        kind: str | None = None
        first_op: Lexeme | None = None
        while True:
            lexeme = self.current
            if lexeme.kind in ("END", "RPAREN"):
                break
            if lexeme.kind not in ("AND", "OR", "NOT"):
                raise self._missing_operator(lexeme)
            op = "AND" if lexeme.kind == "NOT" else lexeme.kind
            if kind is None:
                kind, first_op = op, lexeme
            elif op != kind:
                assert first_op is not None
                raise self.error(
                    f"{lexeme.text} mixed with {first_op.text} at one level",
                    lexeme,
                    "add parentheses to say which goes first: (a AND b) OR c",
                )
            self.advance()
            if self.current.kind in ("END", "RPAREN"):
                raise self.error(
                    f"{lexeme.text} has nothing after it",
                    self.current,
                    "add a term or remove the operator",
                )
            if self.current.kind in ("AND", "OR"):
                raise self.error(
                    f"{self.current.text} right after {lexeme.text}",
                    self.current,
                    "remove one of the two operators",
                )
            items.append(self.unary())
            negated.append(lexeme.kind == "NOT")
        if len(items) == 1:
            return items[0]
        parts = tuple(Not(item) if neg else item for item, neg in zip(items, negated, strict=True))
        return And(parts) if kind == "AND" else Or(parts)

    def _missing_operator(self, lexeme: Lexeme) -> QuerySyntaxError:
        if lexeme.kind == "TERM" and lexeme.text.lower() in ("and", "or", "not"):
            return self.error(
                f"lower-case {lexeme.text!r} is not an operator",
                lexeme,
                f'operators are upper case: {lexeme.text.upper()}; to search the word, quote it: "{lexeme.text}"',
            )
        return self.error(
            f"missing operator before {lexeme.text!r}",
            lexeme,
            'join terms with AND or OR; for words in a row use quotes: "just do it"',
        )

    def unary(self) -> Node:
        if self.current.kind == "NOT":
            operator = self.advance()
            if self.current.kind in ("END", "RPAREN", "AND", "OR"):
                raise self.error("NOT has nothing after it", self.current, "write NOT term")
            self.nest(operator)
            node = Not(self.unary())
            self.depth -= 1
            return node
        return self.near()

    def near(self) -> Node:
        start = self.current
        node = self.operand()
        while self.current.kind == "NEAR":
            op = self.advance()
            if self.current.kind in ("END", "RPAREN", "AND", "OR", "NOT", "NEAR"):
                raise self.error("NEAR has nothing after it", self.current, "write a NEAR/3 b")
            right_start = self.current
            right = self.operand()
            left_terms = self._near_side(node, start)
            right_terms = self._near_side(right, right_start)
            node = Near(left_terms, right_terms, op.distance, op.ordered)
            start = right_start
        return node

    def _near_side(self, node: Node, at: Lexeme) -> tuple[Term, ...]:
        if isinstance(node, Term) and node.fields == TEXT_FIELDS:
            return (node,)
        if isinstance(node, Or) and all(
            isinstance(i, Term) and i.fields == TEXT_FIELDS for i in node.items
        ):
            return tuple(i for i in node.items if isinstance(i, Term))
        raise self.error(
            "NEAR joins single words or (word OR word) groups",
            at,
            'for words close together in a phrase use "a b"~3',
        )

    def operand(self) -> Node:
        lexeme = self.current
        if lexeme.kind == "LPAREN":
            self.advance()
            if self.current.kind == "RPAREN":
                raise self.error(
                    "empty parentheses", self.current, "put a term inside or remove them"
                )
            self.nest(lexeme)
            node = self.sequence()
            if self.current.kind != "RPAREN":
                raise self.error("parenthesis is not closed", lexeme, "add the closing )")
            self.advance()
            self.depth -= 1
            return node
        if lexeme.kind == "FIELD":
            return self.field()
        if lexeme.kind in ("PHRASE", "EXACT", "TERM"):
            self.advance()
            return self.words(lexeme, TEXT_FIELDS)
        if lexeme.kind == "RANGE":
            raise self.error("a range needs a field", lexeme, "write authorFollowers:[1000 TO *]")
        if lexeme.kind == "NEAR":
            raise self.error("NEAR has nothing before it", lexeme, "write a NEAR/3 b")
        if lexeme.kind in ("AND", "OR"):
            raise self.error(
                f"{lexeme.text} has nothing before it", lexeme, "add a term before it or remove it"
            )
        raise self.error("the query ends too early", lexeme, "add a term")

    def words(self, lexeme: Lexeme, fields: tuple[str, ...]) -> Node:
        """A term, phrase or exact-case text -> Term or Phrase."""
        text = lexeme.text
        exact = lexeme.kind == "EXACT"
        if lexeme.kind == "TERM":
            return self.term(lexeme, fields)
        pieces = text.split()
        if not pieces:
            raise self.error(
                "empty phrase" if not exact else "empty { }", lexeme, "put words inside"
            )
        terms = tuple(
            self._word(p, lexeme, fields, exact) for p in self._split(pieces, lexeme, exact)
        )
        if len(terms) == 1 and lexeme.slop is None:
            return terms[0]
        return Phrase(terms, fields, lexeme.slop)

    def _split(self, pieces: list[str], lexeme: Lexeme, exact: bool) -> list[str]:
        """Words of a phrase as the tokenizer sees them (punctuation is not a token)."""
        out: list[str] = []
        for piece in pieces:
            if "*" in piece or "?" in piece:
                out.append(piece)
                continue
            tokens = tokenize(piece)
            out.extend(tokens.original if exact else tokens.folded)
        if not out:
            raise self.error("the phrase has no words", lexeme, "use letters or digits")
        return out

    def _word(self, piece: str, lexeme: Lexeme, fields: tuple[str, ...], exact: bool) -> Term:
        wildcard = "*" in piece or "?" in piece
        if wildcard and piece[0] in "*?":
            raise self.error(
                "a wildcard cannot start a word", lexeme, "put at least one letter first: run*"
            )
        return Term(piece if exact else fold(piece), fields, wildcard, exact)

    def term(self, lexeme: Lexeme, fields: tuple[str, ...]) -> Node:
        text = lexeme.text
        if text[0] in "*?":
            raise self.error(
                "a wildcard cannot start a word", lexeme, "put at least one letter first: run*"
            )
        if "*" in text or "?" in text:
            return Term(fold(text), fields, wildcard=True)
        tokens = tokenize(text).folded
        if not tokens:
            raise self.error(
                f"{text!r} has no letters or digits to search",
                lexeme,
                "remove it or quote a real word",
            )
        if len(tokens) == 1:
            return Term(tokens[0], fields)
        return Phrase(tuple(Term(t, fields) for t in tokens), fields)  # AT&T -> "at t"

    def field(self) -> Node:
        field_lexeme = self.advance()
        name = field_lexeme.text
        value = self.current
        if value.kind in ("END", "RPAREN", "AND", "OR", "NOT", "NEAR"):
            raise self.error(f"{name}: has no value", value, f"write {name}:value")
        if name in RANGE_FIELDS:
            if value.kind != "RANGE":
                raise self.error(f"{name}: takes a range", value, f"write {name}:[10 TO *]")
            self.advance()
            return self.range(name, value)
        if value.kind == "RANGE":
            raise self.error(
                f"{name}: does not take a range",
                value,
                "ranges work with authorFollowers: and engagement:",
            )
        if name == "title":
            if value.kind == "LPAREN":
                return self._with_fields(self.operand(), ("title",), value)
            self.advance()
            return self.words(value, ("title",))
        values = self.values(name, value)
        return Attr(name, values)

    def values(self, name: str, value: Lexeme) -> tuple[str, ...]:
        if value.kind == "LPAREN":
            self.advance()
            out = []
            while True:
                item = self.advance()
                if item.kind not in ("TERM", "PHRASE"):
                    raise self.error(
                        f"{name}:( ) takes values joined by OR", item, f"write {name}:(a OR b)"
                    )
                out.append(self._value(name, item))
                if self.current.kind == "RPAREN":
                    self.advance()
                    return tuple(out)
                if self.current.kind != "OR":
                    raise self.error(
                        f"{name}:( ) takes values joined by OR",
                        self.current,
                        f"write {name}:(a OR b)",
                    )
                self.advance()
        if value.kind not in ("TERM", "PHRASE", "EXACT"):
            raise self.error(f"{name}: needs a value", value, f"write {name}:value")
        self.advance()
        return (self._value(name, value),)

    def _value(self, name: str, lexeme: Lexeme) -> str:
        text = lexeme.text.strip()
        if name == "authorVerified":
            if text.lower() not in ("true", "false"):
                raise self.error(
                    "authorVerified: is true or false", lexeme, "write authorVerified:true"
                )
            return text.lower()
        if not text:
            raise self.error(f"{name}: has an empty value", lexeme, f"write {name}:value")
        text = fold(text)
        if name == "author":
            text = text.lstrip("@")
        if name == "subreddit":
            text = text.removeprefix("r/").removeprefix("/r/").strip("/")
        if name == "site":
            text = text.removeprefix("www.")
        return text

    def range(self, name: str, lexeme: Lexeme) -> Range:
        match = re.fullmatch(r"\s*(-?\d+|\*)\s+TO\s+(-?\d+|\*)\s*", lexeme.text)
        if not match:
            raise self.error(
                f"{name}: range is not [low TO high]",
                lexeme,
                f"write {name}:[1000 TO *] (TO in upper case)",
            )
        low = None if match.group(1) == "*" else int(match.group(1))
        high = None if match.group(2) == "*" else int(match.group(2))
        if any(b is not None and abs(b) > _INT64 for b in (low, high)):
            raise self.error(
                f"{name}: a bound is too large", lexeme, "use numbers below 9223372036854775807"
            )
        if low is not None and high is not None and low > high:
            raise self.error(
                f"{name}: range goes from {low} down to {high}",
                lexeme,
                "put the smaller number first",
            )
        return Range(name, low, high)

    def _with_fields(self, node: Node, fields: tuple[str, ...], at: Lexeme) -> Node:
        """title:(a OR "b c"): the group's words are searched in the title only."""
        if isinstance(node, Term):
            return Term(node.value, fields, node.wildcard, node.exact)
        if isinstance(node, Phrase):
            return Phrase(
                tuple(Term(w.value, fields, w.wildcard, w.exact) for w in node.words),
                fields,
                node.slop,
            )
        if isinstance(node, Near):
            return Near(
                tuple(Term(t.value, fields, t.wildcard, t.exact) for t in node.left),
                tuple(Term(t.value, fields, t.wildcard, t.exact) for t in node.right),
                node.distance,
                node.ordered,
                fields,
            )
        if isinstance(node, And | Or):
            items = tuple(self._with_fields(i, fields, at) for i in node.items)
            return And(items) if isinstance(node, And) else Or(items)
        if isinstance(node, Not):
            return Not(self._with_fields(node.item, fields, at))
        raise self.error(
            "title:( ) holds words only", at, "move other fields out of the parentheses"
        )


def parse(query: str) -> Node:
    """Parse a query; raises QuerySyntaxError (and nothing else) on bad input."""
    return Parser(query).parse()


def validate(query: str) -> QuerySyntaxError | None:
    try:
        parse(query)
    except QuerySyntaxError as exc:
        return exc
    return None


__all__ = ["VALUE_FIELDS", "Lexeme", "Parser", "lex", "parse", "validate"]

"""The query language of monitored topics: parse, match a stream, translate to SQL.

from hubbub.query import parse, compile_topics, search_sql
matcher = compile_topics({"nike": 'nike NOT "nike air"', "adidas": "adidas OR #adidas"})
matcher.match_batch(posts_table)        # -> (post_id, topic) pairs
"""

from hubbub.query.errors import QuerySyntaxError
from hubbub.query.matcher import TopicMatcher, compile_topics
from hubbub.query.parser import parse, validate
from hubbub.query.semantics import evaluate
from hubbub.query.sql import register_functions, search_sql, to_sql

__all__ = [
    "QuerySyntaxError",
    "TopicMatcher",
    "compile_topics",
    "evaluate",
    "parse",
    "register_functions",
    "search_sql",
    "to_sql",
    "validate",
]

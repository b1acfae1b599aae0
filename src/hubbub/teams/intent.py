"""What a post to our accounts wants: complaint, question, praise or other.

Rules over the text and the post's sentiment label, in this order: a negative post or one with a
complaint cue is a complaint (an angry question is a complaint first: it needs the same
urgency); a question mark with a question cue is a question; a positive post or a thank-you is
praise; the rest is other. Rules are predictable and explainable to a support team, and measured
against the airline corpus's human labels in tests/teams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

INTENTS: Final = ("complaint", "question", "praise", "other")
#: How much each intent adds to urgency (0..1): complaints first, praise can wait.
INTENT_WEIGHT: Final = {"complaint": 1.0, "question": 0.7, "praise": 0.1, "other": 0.3}

_COMPLAINT = re.compile(
    r"\b(worst|terrible|awful|horrible|disappoint\w*|unacceptable|ridiculous|refund\w*|delay\w*|"
    r"cancel+ed|lost|broken|never again|still waiting|not working|doesn'?t work|rude|useless|"
    r"fail\w*|stuck|no one|nobody|complain\w*|fix (this|it)|wtf|sucks?)\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"(^|[\s.!,])(how|what|when|where|why|who|which|can|could|will|would|is|are|do|does|did|"
    r"should|any(one|body)|is there)\b[^?]*\?",
    re.IGNORECASE,
)
_PRAISE = re.compile(
    r"\b(thanks?|thank you|thx|love|great|awesome|amazing|excellent|best|kudos|appreciate\w*|"
    r"fantastic|wonderful|perfect|shout ?out)\b",
    re.IGNORECASE,
)


def intent_of(text: str, sentiment: str | None) -> str:
    if sentiment == "negative" or _COMPLAINT.search(text):
        return "complaint"
    if _QUESTION.search(text):
        return "question"
    if sentiment == "positive" or _PRAISE.search(text):
        return "praise"
    return "other"


def classify_intents(texts: Sequence[str], sentiments: Sequence[str | None]) -> list[str]:
    return [intent_of(t or "", s) for t, s in zip(texts, sentiments, strict=True)]

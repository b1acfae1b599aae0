"""Optional: rewrite extractive headlines with an OpenAI-compatible chat endpoint.

Only used when the user configures one (nothing leaves the machine otherwise):

    HUBBUB_LLM_URL=http://localhost:8080/v1   # any OpenAI-compatible server (vLLM, llama.cpp, ...)
    HUBBUB_LLM_MODEL=my-model
    HUBBUB_LLM_API_KEY=...                    # if the server wants one; read from the environment only

The model sees only the posts behind each headline and is asked for one line that they support.
Any failure (timeout, HTTP error, odd answer) keeps the extractive headline and says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Final

import httpx

PROMPT: Final = (
    "You write one-line headlines for a social listening report. Summarise what the posts below "
    "say in at most 14 words. Use only facts the posts state; no hashtags, no quotes, no emoji."
)


@dataclass(frozen=True)
class LlmEndpoint:
    url: str
    model: str
    api_key: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_environment(cls) -> LlmEndpoint | None:
        url, model = os.environ.get("HUBBUB_LLM_URL"), os.environ.get("HUBBUB_LLM_MODEL")
        if not url or not model:
            return None
        return cls(url.rstrip("/"), model, os.environ.get("HUBBUB_LLM_API_KEY") or None)

    def headline(self, posts: list[str]) -> str:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": 60,
            "messages": [
                {"role": "system", "content": PROMPT},
                {"role": "user", "content": "\n".join(f"- {p[:500]}" for p in posts)},
            ],
        }
        response = httpx.post(
            f"{self.url}/chat/completions", json=body, headers=headers, timeout=self.timeout
        )
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"]
        line = " ".join(str(text).split())
        if not line:
            raise ValueError("the model answered with an empty headline")
        return line[:200]


def rewrite(headlines: list[dict[str, Any]], endpoint: LlmEndpoint) -> list[dict[str, Any]]:
    """Each headline rewritten from its supporting posts; extractive kept on any failure."""
    out = []
    for item in headlines:
        posts = [s["text"] for s in item["supporting"] if s.get("text")]
        try:
            item = {
                **item,
                "headline": endpoint.headline(posts),
                "method": "llm",
                "extractive": item["headline"],
            }
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            item = {
                **item,
                "method": "extractive",
                "llm_error": f"{type(exc).__name__}: {exc}"[:200],
            }
        out.append(item)
    return out

"""The replay server of recorded Mastodon pages, shared by the live-fetch and collect tests."""

from tests.sources.test_live import server

__all__ = ["server"]

"""`domains_of`: host names of links, as posts' `domains` column holds them."""

from __future__ import annotations

from hubbub.normalize import domains_of


def test_domains_of_folds_case_and_www_and_skips_what_is_no_url() -> None:
    links = ["https://WWW.Example.com/a", "http://t.co/x", "example.com/b", "http://[x", "http://"]
    # "http://[x" is an unclosed IPv6 host urllib rejects: skipped, the other links still count.
    assert domains_of(links) == ["example.com", "t.co"]

"""`normalize.domains_of` over a whole list column of links at once.

Most links are plain (`scheme://host[:port]` then `/`, `?`, `#` or the end, the host in
letters, digits, dots and dashes): for those the host `urlsplit` would give is read by one
RE2 pass over the column. Any other link (user info, IPv6, non-ASCII, no scheme...) goes
through `domains_of` itself, so every answer is the one it gives; only a link `urlsplit`
rejects has no domain here instead of an error.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hubbub.enrich._batch_findall import first_of_each, lists_from_rows
from hubbub.normalize import domains_of

# urlsplit: a scheme is an ASCII letter then scheme characters up to the first `:`; the
# netloc runs to the first `/`, `?` or `#`; the host is the netloc before its `:`.
_PLAIN_LINK = r"^[A-Za-z][A-Za-z0-9+.\-]*://(?P<host>[A-Za-z0-9.\-]*)(?::[0-9]*)?(?:[/?#]|$)"


def domain_of(link: str) -> str:
    """`domains_of` one link; "" when it has none (`domains_of` skips a link `urlsplit`
    rejects, `http://[x`: one post's odd link must not fail the whole batch)."""
    return next(iter(domains_of([link])), "")


def domains_column(links: pa.Array) -> pa.Array:
    """Per row, `domains_of(row's links or [])`."""
    flat = pc.list_flatten(links)
    owner = pc.list_parent_indices(links).to_numpy().astype(np.int64)
    plain = pc.struct_field(pc.extract_regex(flat, _PLAIN_LINK), "host")
    hosts = pc.replace_substring_regex(pc.ascii_lower(plain), "^www\\.", "", max_replacements=1)
    odd = np.flatnonzero(hosts.is_null().to_numpy(zero_copy_only=False))
    values = hosts.to_pylist() if odd.size else None
    if values is not None:
        for i, link in zip(odd.tolist(), flat.take(pa.array(odd)).to_pylist(), strict=True):
            values[i] = domain_of(link)
        hosts = pa.array(values, pa.string())
    keep = first_of_each(owner, hosts)
    if keep is not None:
        owner, hosts = owner[keep], hosts.take(pa.array(keep))
    return lists_from_rows(len(links), owner, hosts)

"""Repeated and shared ids, found through 64-bit hashes, against Python's sets."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub import id_hashes
from hubbub.id_hashes import ids_meet, ids_repeat
from tests.realdata import post_records

IDS = st.lists(st.text(max_size=12), max_size=60)


@pytest.fixture(autouse=True)
def always_hashed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hashed path is taken from 20,000 ids; these tests take it on a few.
    monkeypatch.setattr(id_hashes, "HASHED_FROM", 0)


@settings(max_examples=200, deadline=None)
@given(IDS, IDS, st.integers(1, 4))
def test_random_ids(first: list[str], second: list[str], pieces: int) -> None:
    cut = len(first) // pieces
    chunked = pa.chunked_array(
        [pa.array(first[:cut], pa.string()), pa.array(first[cut:], pa.string())]
    )
    assert ids_repeat(chunked) == (len(set(first)) < len(first))
    others = pa.chunked_array([pa.array(second, pa.string())])
    assert ids_meet(chunked, others) == bool(set(first) & set(second))


def test_real_ids_and_sliced_arrays(shared_data: Path) -> None:
    ids = [r["id"] for r in post_records(shared_data, limit=5000)]
    unique = list(dict.fromkeys(ids))
    array = pa.array(unique)
    assert not ids_repeat(array)
    assert ids_repeat(pa.array([*unique, unique[17]]))
    # Slices share buffers with an offset; each keeps to its own ids.
    head, tail = array.slice(0, 2000), array.slice(2000)
    assert not ids_meet(pa.chunked_array([head]), pa.chunked_array([tail]))
    assert ids_meet(pa.chunked_array([head]), pa.chunked_array([tail, array.slice(1999, 1)]))
    assert len(set(id_hashes.id_hashes(array).tolist())) == len(unique)

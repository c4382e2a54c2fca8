"""HashIndex: exact lookup of 64-bit keys."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.frontline._hashindex import HashIndex


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(st.integers(0, 2**64 - 1), max_size=300),
    other=st.lists(st.integers(0, 2**64 - 1), max_size=50),
)
def test_hashindex_is_exact(keys: list[int], other: list[int]) -> None:
    k = np.array(keys, dtype=np.uint64)
    q = np.array(keys[::-1] + other, dtype=np.uint64)
    pos = HashIndex(k).find(q)
    present = np.isin(q, k)
    assert np.array_equal(pos >= 0, present)
    assert np.array_equal(k[pos[present]], q[present])

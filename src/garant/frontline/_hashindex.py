"""Exact, vectorised lookup of 64-bit keys (a direct-mapped table with overflow).

Consecutive snapshots share almost all boundary vertices and segments; the
frontline code finds the shared ones by hashing coordinates to 64-bit keys and
looking them up in the previous snapshot's keys. A sorted array with
:func:`numpy.searchsorted` costs a sort and a binary search per key; this
table costs one scatter to build and one gather per lookup, which is several
times faster for the few thousand keys of a daily snapshot.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HashIndex"]


class HashIndex:
    """Positions of 64-bit keys, for exact membership and lookup.

    Parameters
    ----------
    keys : numpy.ndarray
        uint64 keys, assumed well mixed (their top bits pick the table slot).
        Duplicates are allowed; :meth:`find` returns one of their positions.
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = np.ascontiguousarray(keys, dtype=np.uint64)
        n = len(self.keys)
        bits = max(8, int(np.ceil(np.log2(max(n, 1)))) + 3)  # load factor <= 1/8
        self._shift = np.uint64(64 - bits)
        self._table = np.full(1 << bits, -1, dtype=np.int64)
        idx = np.arange(n, dtype=np.int64)
        slots = self.keys >> self._shift
        self._table[slots] = idx  # on a clash the last key wins the slot ...
        lost = idx[self._table[slots] != idx]
        # ... and the others go to a small sorted overflow array.
        order = np.argsort(self.keys[lost], kind="stable")
        self._over_keys = self.keys[lost][order]
        self._over_idx = lost[order]

    def find(self, query: np.ndarray) -> np.ndarray:
        """Position of each query key in ``keys``, -1 where absent.

        Parameters
        ----------
        query : numpy.ndarray
            uint64 keys.

        Returns
        -------
        numpy.ndarray
            int64 positions (-1: not a key).
        """
        q = np.asarray(query, dtype=np.uint64)
        if len(self.keys) == 0:
            return np.full(len(q), -1, dtype=np.int64)
        cand = self._table[q >> self._shift]
        ok = (cand >= 0) & (self.keys[np.maximum(cand, 0)] == q)
        out = np.where(ok, cand, -1)
        if len(self._over_keys):
            rest = np.flatnonzero(~ok & (cand >= 0))
            if len(rest):
                ok_keys = self._over_keys
                pos = np.minimum(np.searchsorted(ok_keys, q[rest]), len(ok_keys) - 1)
                hit = ok_keys[pos] == q[rest]
                out[rest[hit]] = self._over_idx[pos[hit]]
        return out

    def contains(self, query: np.ndarray) -> np.ndarray:
        """Whether each query key is one of ``keys`` (boolean array)."""
        return np.asarray(self.find(query) >= 0, dtype=bool)

"""Exact, vectorised lookup of 64-bit keys (two direct-mapped tables and an overflow).

Consecutive snapshots share almost all boundary vertices and segments; the
frontline code finds the shared ones by hashing coordinates to 64-bit keys and
looking them up in the previous snapshot's keys. A sorted array with
:func:`numpy.searchsorted` costs a sort and a binary search per key; these
tables cost a scatter to build and a gather per lookup, several times faster for
the few thousand keys of a daily snapshot. Where pandas' C hash table (the
engine of ``pandas.Index``) can be imported it is used instead, faster still.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # pandas' C hash table (khash): 2-3 times faster than the numpy tables below
    from pandas._libs.hashtable import UInt64HashTable as _CTable
except (ImportError, AttributeError):  # pragma: no cover - pandas internals moved
    _CTable = None

__all__ = ["HashIndex"]


class HashIndex:
    """Positions of 64-bit keys, for exact membership and lookup.

    A key lives in the slot its top bits pick in the first table; keys that lose
    that slot to another key go to the slot their low bits pick in a second
    table, and the very few left over to a small sorted array.

    Parameters
    ----------
    keys : numpy.ndarray
        uint64 keys, assumed well mixed. Duplicates are allowed; :meth:`find`
        returns one of their positions.
    use_pandas : bool
        Use pandas' C hash table where available (the default; same answers
        for distinct keys, faster); False uses the numpy tables.
    """

    def __init__(self, keys: np.ndarray, *, use_pandas: bool = True) -> None:
        self.keys = np.ascontiguousarray(keys, dtype=np.uint64)
        n = len(self.keys)
        self._table: Any = None
        if use_pandas and _CTable is not None:
            # pandas.Index's own engine, used directly (no Index object around it).
            self._table = _CTable(max(n, 1))
            self._table.map_locations(self.keys)
            return
        bits = max(8, int(n).bit_length() + 2)  # load factor <= 1/4 per table
        self._shift = np.uint64(64 - bits)
        self._mask = np.uint64((1 << bits) - 1)
        idx = np.arange(n, dtype=np.int32)
        self._t1 = np.full(1 << bits, -1, dtype=np.int32)
        s1 = self.keys >> self._shift
        self._t1[s1] = idx  # on a clash the last key wins the slot
        lost = idx[self._t1[s1] != idx]
        self._t2 = np.full(1 << bits, -1, dtype=np.int32)
        s2 = self.keys[lost] & self._mask
        self._t2[s2] = lost
        left = lost[self._t2[s2] != lost]
        order = np.argsort(self.keys[left], kind="stable")
        self._over_keys = self.keys[left][order]
        self._over_idx = left[order]

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
        q = np.ascontiguousarray(query, dtype=np.uint64)
        if len(self.keys) == 0 or len(q) == 0:
            return np.full(len(q), -1, dtype=np.int64)
        if self._table is not None:
            return np.asarray(self._table.lookup(q), dtype=np.int64)
        c1 = self._t1[q >> self._shift]
        ok = self.keys[c1] == q  # c1 == -1 reads the last key: masked below
        taken = c1 >= 0
        ok &= taken
        out = np.where(ok, c1, -1).astype(np.int64, copy=False)
        rest = np.flatnonzero(taken & ~ok)  # slot taken by another key
        if len(rest):
            qr = q[rest]
            c2 = self._t2[qr & self._mask]
            ok2 = (c2 >= 0) & (self.keys[c2] == qr)
            out[rest[ok2]] = c2[ok2]
            if len(self._over_keys):
                rest = rest[~ok2 & (c2 >= 0)]
                if len(rest):
                    ov = self._over_keys
                    pos = np.minimum(np.searchsorted(ov, q[rest]), len(ov) - 1)
                    hit = ov[pos] == q[rest]
                    out[rest[hit]] = self._over_idx[pos[hit]]
        return out

    def contains(self, query: np.ndarray) -> np.ndarray:
        """Whether each query key is one of ``keys`` (boolean array)."""
        return np.asarray(self.find(query) >= 0, dtype=bool)

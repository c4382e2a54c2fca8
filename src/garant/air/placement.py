"""Placement of air-defence units: the maximal covering location problem (MCLP).

Choose sites for ``k`` units among candidate sites so that the demand they
protect (population, weighted assets) is as large as possible. A demand point is
*covered* when at least one chosen site lies within the coverage radius of it.

The model (Church & ReVelle 1974), with demand points ``i`` of weight ``w_i >= 0``,
candidate sites ``j``, and ``N_i`` the candidates that cover ``i``::

    maximise    Σ_i w_i y_i
    subject to  y_i <= Σ_{j ∈ N_i} x_j      for every demand point i
                Σ_j x_j <= k
                x_j = 1                      for j forced into the solution
                x_j = 0                      for j excluded (e.g. by a stand-off)
                x_j ∈ {0, 1},  0 <= y_i <= 1

``y`` may be continuous: for integral ``x`` the optimum sets ``y_i = 1`` exactly
when ``i`` is covered. ``Σ x_j <= k`` rather than ``= k``: with non-negative
weights an extra site never lowers the objective, so the optimum is the same,
and sites that would add nothing are left out (``len(chosen) < k`` then says
that fewer than ``k`` units already protect everything they can reach).

The layers follow spopt's habits: :func:`solve_mclp` works on a coverage matrix
(any source of coverage: distances, line of sight, travel times); :func:`place`
is the geographic adapter (points, a radius, a stand-off from hostile
territory); the solver is a parameter; the solver's status is checked; the
result is a frozen :class:`PlacementResult`.

Before the MILP is built the instance is reduced, which changes neither the
optimum nor the objective: demand covered by forced sites is counted and
dropped, as is demand that no allowed site covers or that weighs nothing; demand
points covered by the same set of sites are merged (weights added); and
candidate sites whose covered set is contained in another site's are dropped
(a dominated site can always be swapped for its dominator).

HiGHS then solves the LP relaxation with the primal simplex (on these models
about ten times faster than the dual simplex a MIP root uses). When its ``x`` is
integral, or the best heuristic solution (greedy, improved by 1-swaps, or the
LP's k largest ``x``) is within ``mip_gap`` of the LP bound, that solution is
optimal. Otherwise sites whose LP reduced cost exceeds the gap between bound and
incumbent are fixed, and HiGHS' branch and bound finishes the job from that
incumbent. MCLP relaxations are often integral for small radii; with large,
heavily overlapping radii (each demand point within reach of dozens of sites)
the gap grows and branch and bound can take minutes: set ``time_limit_s``.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import json
import logging
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, GarantWarning, NotFoundError

if TYPE_CHECKING:
    from garant.store import Store

__all__ = [
    "SOLVERS",
    "PlacementResult",
    "PlacementWarning",
    "coverage_matrix",
    "hostile_territory",
    "occupied_from_store",
    "place",
    "place_from_files",
    "read_points",
    "solve_mclp",
    "standoff_mask",
]

logger = logging.getLogger(__name__)

#: Solvers :func:`solve_mclp` accepts.
SOLVERS: tuple[str, ...] = ("highs", "greedy")

#: Mean Earth radius (IUGG), km; only used to pre-select pairs for the exact geodesic test.
_EARTH_RADIUS_KM = 6371.0088
#: Pre-selection margin over the radius: ellipsoidal vs spherical distance differ < 0.6 %.
_PRESELECT_FACTOR = 1.01
_PRESELECT_PAD_KM = 1.0
#: Dominance between sites is checked only while Cᵀ C stays this small (non-zeros).
_DOMINANCE_MAX_PAIRS = 50_000_000
_GEOD = pyproj.Geod(ellps="WGS84")
_COORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("lng", "lat"),
    ("x", "y"),
)


class PlacementWarning(GarantWarning):
    """A placement ran with changed inputs (fewer sites) or stopped before the optimum."""


FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


# ----------------------------------------------------------------------------------------
# the result
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementResult:
    """The sites chosen by a placement and what they cover.

    Attributes
    ----------
    chosen : tuple of int
        Positions of the chosen candidate sites (columns of the coverage matrix,
        rows of the candidates frame), ascending. May be shorter than ``k`` when
        the remaining units would cover nothing more.
    objective : float
        Covered weight Σ w_i over covered demand points (recomputed from the
        coverage matrix, not taken from the solver).
    total_weight : float
        Σ w_i over all demand points.
    coverage_share : float
        ``objective / total_weight`` (0 when the total weight is 0).
    covered : numpy.ndarray of bool
        Per demand point, whether a chosen site covers it (read-only).
    solve_time_s : float
        Wall time of the solver (HiGHS' run, or the greedy loop), s.
    build_time_s : float
        Wall time to check the input, reduce the instance and build the model
        (including the greedy warm start), s.
    solver : str
        The solver that produced ``chosen``: ``"highs"`` or ``"greedy"``.
    optimal : bool
        Whether ``chosen`` is proven optimal (within the requested ``mip_gap``).
    mip_gap : float or None
        Relative gap between the objective and the solver's bound (0 when proven
        optimal without tolerance); None for the greedy heuristic, which has no bound.
    status : str
        What happened, in words (e.g. ``"optimal"``, ``"time limit: best solution kept"``).
    k : int
        Units to place (after ``allow_fewer`` lowered it).
    n_candidates, n_demand : int
        Size of the instance.
    n_excluded : int
        Candidate sites excluded (explicitly or by the stand-off).
    n_excluded_standoff : int
        Of these, sites closer than ``standoff_km`` to hostile territory.
    radius_km, standoff_km : float or None
        The coverage radius and stand-off distance of a geographic placement, km.
    sites : geopandas.GeoDataFrame or None
        The chosen rows of the candidates frame (geographic placements only), with a
        column ``covers_weight``: the weight each site covers on its own.
    """

    chosen: tuple[int, ...]
    objective: float
    total_weight: float
    coverage_share: float
    covered: BoolArray = field(compare=False, repr=False)
    solve_time_s: float = field(compare=False)
    build_time_s: float = field(compare=False)
    solver: str
    optimal: bool
    mip_gap: float | None
    status: str
    k: int
    n_candidates: int
    n_demand: int
    n_excluded: int = 0
    n_excluded_standoff: int = 0
    radius_km: float | None = None
    standoff_km: float | None = None
    sites: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)

    def sites_from(self, candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The chosen rows of a candidates frame (the one the placement was solved on).

        Parameters
        ----------
        candidates : geopandas.GeoDataFrame
            The candidate sites, in the order of the coverage matrix's columns.

        Returns
        -------
        geopandas.GeoDataFrame
            ``candidates.iloc[chosen]``.
        """
        if len(candidates) != self.n_candidates:
            raise DataError(
                f"candidates: {len(candidates)} rows, but the placement was solved on "
                f"{self.n_candidates} candidate sites"
            )
        return candidates.iloc[list(self.chosen)]

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready plain data (without the per-point ``covered`` array).

        Returns
        -------
        dict
            Every scalar field, ``chosen`` as a list, ``n_covered``, and ``sites``
            (a list of records with ``index``, ``lon``, ``lat`` and the candidates'
            scalar attributes) when the placement was geographic.
        """
        out: dict[str, Any] = {
            "chosen": list(self.chosen),
            "n_chosen": len(self.chosen),
            "objective": self.objective,
            "total_weight": self.total_weight,
            "coverage_share": self.coverage_share,
            "n_covered": int(np.count_nonzero(self.covered)),
            "solve_time_s": self.solve_time_s,
            "build_time_s": self.build_time_s,
            "solver": self.solver,
            "optimal": self.optimal,
            "mip_gap": self.mip_gap
            if self.mip_gap is not None and math.isfinite(self.mip_gap)
            else None,
            "status": self.status,
            "k": self.k,
            "n_candidates": self.n_candidates,
            "n_demand": self.n_demand,
            "n_excluded": self.n_excluded,
            "n_excluded_standoff": self.n_excluded_standoff,
            "radius_km": self.radius_km,
            "standoff_km": self.standoff_km,
        }
        if self.sites is not None:
            out["sites"] = _site_records(self.sites)
        return out

    def to_json(self, *, indent: int | None = 2) -> str:
        """The result as a JSON string (see :meth:`to_dict`).

        Parameters
        ----------
        indent : int or None, default 2
            Passed to :func:`json.dumps`.

        Returns
        -------
        str
        """
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


def _site_records(sites: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    geom = sites.geometry
    records: list[dict[str, Any]] = []
    for pos, (idx, row) in enumerate(sites.drop(columns=geom.name).iterrows()):
        pt = geom.iloc[pos]
        key = idx.item() if isinstance(idx, np.generic) else idx
        rec: dict[str, Any] = {"index": key if isinstance(key, (int, str)) else str(key)}
        rec["lon"] = round(float(pt.x), 6)
        rec["lat"] = round(float(pt.y), 6)
        for key, value in row.items():
            if isinstance(value, (bool, np.bool_)):
                rec[str(key)] = bool(value)
            elif isinstance(value, (int, np.integer)):
                rec[str(key)] = int(value)
            elif isinstance(value, (float, np.floating)):
                rec[str(key)] = float(value) if math.isfinite(value) else None
            elif isinstance(value, str):
                rec[str(key)] = value
        records.append(rec)
    return records


# ----------------------------------------------------------------------------------------
# input checks
# ----------------------------------------------------------------------------------------


def _as_coverage(coverage: Any) -> sp.csr_array:
    """Normalise a coverage matrix to a CSR array of 1.0 (sorted indices)."""
    if sp.issparse(coverage):
        mat = sp.csr_array(coverage)
        if mat.ndim != 2:
            raise DataError(f"coverage: expected a 2-D matrix, got {mat.ndim} dimensions")
        mat = sp.csr_array(mat != 0, dtype=np.float64)
    else:
        arr = np.asarray(coverage)
        if arr.ndim != 2:
            raise DataError(f"coverage: expected a 2-D matrix, got shape {arr.shape}")
        mat = sp.csr_array(arr != 0, dtype=np.float64)
    mat.eliminate_zeros()
    mat.sort_indices()
    return mat


def _as_weights(weights: ArrayLike, n_demand: int, what: str = "weights") -> FloatArray:
    try:
        w = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{what}: not numeric ({exc})") from None
    if w.ndim != 1 or w.shape[0] != n_demand:
        raise DataError(f"{what}: expected {n_demand} values (one per demand point), got {w.shape}")
    bad = ~np.isfinite(w)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(f"{what}: {int(bad.sum())} NaN or infinite values (first at position {i})")
    neg = w < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise DataError(
            f"{what}: {int(neg.sum())} negative values (first at position {i}: {w[i]:g})"
        )
    return w


def _as_indices(values: Sequence[int], n: int, what: str) -> IntArray:
    out: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ConfigError(f"{what}: {v!r} is not a candidate index (an int)")
        if not 0 <= int(v) < n:
            raise ConfigError(f"{what}: index {v} is out of range for {n} candidate sites")
        out.append(int(v))
    return np.unique(np.asarray(out, dtype=np.int64))


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ConfigError(f"k={k!r}: the number of units must be an int")
    if k <= 0:
        raise ConfigError(f"k={k}: the number of units must be at least 1")
    return int(k)


def _check_options(solver: str, time_limit_s: float | None, mip_gap: float) -> None:
    if solver not in SOLVERS:
        raise ConfigError(f"solver={solver!r}: expected one of {', '.join(SOLVERS)}")
    if time_limit_s is not None and not (math.isfinite(time_limit_s) and time_limit_s > 0):
        raise ConfigError(f"time_limit_s={time_limit_s}: must be a positive number of seconds")
    if not (math.isfinite(mip_gap) and 0 <= mip_gap < 1):
        raise ConfigError(f"mip_gap={mip_gap}: must be a relative gap in [0, 1)")


# ----------------------------------------------------------------------------------------
# the greedy heuristic
# ----------------------------------------------------------------------------------------


def _greedy(
    csr: sp.csr_array,
    csc: sp.csc_array,
    w: FloatArray,
    k: int,
    *,
    start: IntArray,
    allowed: BoolArray,
) -> list[int]:
    """Greedy maximal covering: add the site with the largest marginal covered weight.

    Marginal gains are kept exact and up to date: when a site is added, the weight
    of the demand points it newly covers is subtracted from the gains of every
    site that also covers them (one sparse product per step), so the whole loop
    costs O(nnz + k · n_candidates). Ties go to the lower index. Stops early when
    no site adds weight.
    """
    n_demand = csr.shape[0]
    uncovered = np.ones(n_demand, dtype=bool)
    gains = np.asarray(csc.T @ w, dtype=np.float64)
    tol = 1e-12 * max(float(w.sum()), np.finfo(float).tiny)
    chosen: list[int] = []

    def take(j: int) -> None:
        rows = csc.indices[csc.indptr[j] : csc.indptr[j + 1]]
        new = rows[uncovered[rows]]
        if new.size:
            uncovered[new] = False
            nonlocal gains
            gains = gains - np.asarray(csr[new].T @ w[new], dtype=np.float64)
        chosen.append(j)

    for j in start:
        take(int(j))
    score = np.where(allowed, gains, -np.inf)
    score[np.asarray(chosen, dtype=np.int64)] = -np.inf
    while len(chosen) < k:
        j = int(np.argmax(score))
        if not score[j] > tol:
            break
        take(j)
        score = np.where(allowed, gains, -np.inf)
        score[np.asarray(chosen, dtype=np.int64)] = -np.inf
    return chosen


def _swap_improve(
    csr: sp.csr_array, csc: sp.csc_array, w: FloatArray, chosen: list[int], *, max_rounds: int
) -> list[int]:
    """1-swap local search: replace a chosen site by another while that adds covered weight.

    Each round evaluates every (chosen site out, other site in) pair at once: the
    weight lost by removing ``s`` is the weight only ``s`` covers; the weight gained by
    adding ``j`` is what ``j`` covers among the points left uncovered. The best
    improving swap is made; stops when none improves (a 1-swap local optimum).
    """
    n_cand = csr.shape[1]
    x = np.zeros(n_cand)
    x[chosen] = 1.0
    count = np.asarray(csr @ x).astype(np.int64)
    current = list(chosen)
    tol = 1e-12 * max(float(w.sum()), np.finfo(float).tiny)
    for _ in range(max_rounds):
        base = np.asarray(csc.T @ np.where(count == 0, w, 0.0))
        best = (tol, -1, -1)
        in_set = np.zeros(n_cand, dtype=bool)
        in_set[current] = True
        for s in current:
            rows = csc.indices[csc.indptr[s] : csc.indptr[s + 1]]
            only = rows[count[rows] == 1]
            loss = float(w[only].sum())
            gain = base + np.asarray(csr[only].T @ w[only]) if only.size else base.copy()
            gain[in_set] = -np.inf
            j = int(np.argmax(gain))
            delta = float(gain[j]) - loss
            if delta > best[0]:
                best = (delta, s, j)
        _, s_out, j_in = best
        if s_out < 0:
            break
        count[csc.indices[csc.indptr[s_out] : csc.indptr[s_out + 1]]] -= 1
        count[csc.indices[csc.indptr[j_in] : csc.indptr[j_in + 1]]] += 1
        current[current.index(s_out)] = j_in
    return current


# ----------------------------------------------------------------------------------------
# reduction of the instance
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reduced:
    """The reduced instance: aggregated demand × non-dominated free sites."""

    matrix: sp.csr_array  # groups × sites, 1.0
    weights: FloatArray  # per group
    sites: IntArray  # original candidate index per column
    k: int  # units left after the forced sites


def _row_groups(csr: sp.csr_array, rows: IntArray) -> tuple[IntArray, IntArray]:
    """Group rows with identical sparsity patterns: (group of each row, one row per group)."""
    ptr, idx = csr.indptr, csr.indices
    seen: dict[bytes, int] = {}
    group = np.empty(rows.size, dtype=np.int64)
    first: list[int] = []
    for n, r in enumerate(rows):
        key = idx[ptr[r] : ptr[r + 1]].tobytes()
        g = seen.get(key)
        if g is None:
            g = seen[key] = len(first)
            first.append(int(r))
        group[n] = g
    return group, np.asarray(first, dtype=np.int64)


def _non_dominated(mat: sp.csr_array) -> BoolArray:
    """Columns whose covered row set is not contained in another column's.

    Column ``j`` is dropped when some ``j'`` covers every row ``j`` covers and
    more, or the same rows with a lower index; empty columns are dropped.
    """
    n_cols = mat.shape[1]
    counts = np.asarray(mat.sum(axis=0)).ravel()
    keep = counts > 0
    row_nnz = np.diff(mat.indptr)
    if float(np.sum(row_nnz.astype(np.float64) ** 2)) > _DOMINANCE_MAX_PAIRS:
        return keep
    csc = sp.csc_array(mat)
    inter = sp.coo_array(csc.T @ csc)
    i, j, v = inter.row, inter.col, inter.data
    contained = (i != j) & (np.rint(v) == counts[i])
    bigger = (counts[j] > counts[i]) | ((counts[j] == counts[i]) & (j < i))
    dominated = np.zeros(n_cols, dtype=bool)
    dominated[i[contained & bigger]] = True
    return keep & ~dominated


def _reduce(
    csr: sp.csr_array,
    csc: sp.csc_array,
    w: FloatArray,
    k: int,
    forced: IntArray,
    allowed: BoolArray,
) -> tuple[_Reduced, BoolArray]:
    """Reduce the instance; also return the demand points the forced sites cover."""
    n_demand = csr.shape[0]
    by_forced = np.zeros(n_demand, dtype=bool)
    for j in forced:
        by_forced[csc.indices[csc.indptr[j] : csc.indptr[j + 1]]] = True
    free = allowed.copy()
    free[forced] = False
    free_idx = np.flatnonzero(free)
    sub = sp.csr_array(csr[:, free_idx])
    reach = np.diff(sub.indptr) > 0
    rows = np.flatnonzero((w > 0) & ~by_forced & reach)
    if rows.size == 0 or free_idx.size == 0:
        empty = sp.csr_array((0, 0), dtype=np.float64)
        return _Reduced(empty, np.zeros(0), np.zeros(0, dtype=np.int64), k - forced.size), by_forced
    group, first = _row_groups(sub, rows)
    gw = np.bincount(group, weights=w[rows], minlength=first.size).astype(np.float64)
    gmat = sp.csr_array(sub[first])
    cols = _non_dominated(gmat)
    gmat = sp.csr_array(gmat[:, np.flatnonzero(cols)])
    gmat.sort_indices()
    return _Reduced(gmat, gw, free_idx[cols], k - forced.size), by_forced


# ----------------------------------------------------------------------------------------
# HiGHS
# ----------------------------------------------------------------------------------------

#: HiGHS model statuses that mean "stopped early" (a limit or an interrupt), not failure.
_STOPPED_STATUSES = (
    "kTimeLimit",
    "kIterationLimit",
    "kSolutionLimit",
    "kInterrupt",
    "kHighsInterrupt",
    "kMemoryLimit",
    "kObjectiveBound",
    "kObjectiveTarget",
)

_BANNER_LOCK = threading.Lock()
_BANNER_DONE = False


def _new_highs() -> Any:
    """A silent ``highspy.Highs``.

    HiGHS prints a copyright banner on the first construction in a process, on the
    C-level stdout and before any option can be set; it would corrupt machine-readable
    output, so the first construction runs with file descriptor 1 sent to /dev/null.
    """
    import highspy

    global _BANNER_DONE
    with _BANNER_LOCK:
        if _BANNER_DONE:
            h = highspy.Highs()
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                h = highspy.Highs()
                with contextlib.suppress(OSError, AttributeError):
                    ctypes.CDLL(None).fflush(None)  # flush C stdio while fd 1 is /dev/null
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _BANNER_DONE = True
    h.setOptionValue("output_flag", False)
    return h


def _highs_available() -> bool:
    try:
        import highspy  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class _MipOutcome:
    sites: IntArray | None  # chosen columns of the reduced matrix, None without a solution
    optimal: bool
    mip_gap: float | None
    status: str
    solve_time_s: float


def _covered_weight(red: _Reduced, sites: IntArray | list[int]) -> float:
    x = np.zeros(red.matrix.shape[1])
    x[np.asarray(sites, dtype=np.int64)] = 1.0
    return float(red.weights[(red.matrix @ x) > 0].sum())


def _relative_gap(bound: float, value: float) -> float:
    """HiGHS' MIP gap: (bound − value) / |value|, 0 when they agree, inf without a value."""
    if bound - value <= 1e-9 * max(1.0, abs(bound)):
        return 0.0
    return (bound - value) / abs(value) if value != 0 else math.inf


def _highs_lp(red: _Reduced) -> Any:
    """The reduced MCLP as a ``highspy.HighsLp`` (continuous; weights scaled to max 1)."""
    import highspy

    mat = red.matrix
    n_groups, n_sites = mat.shape
    n_cols = n_sites + n_groups
    # columns: x_0..x_{n_sites-1}, y_0..y_{n_groups-1}; rows: n_groups coverage rows, 1 budget row
    a = sp.csc_array(
        sp.block_array(
            [
                [-mat, sp.eye_array(n_groups, format="csr")],
                [sp.csr_array(np.ones((1, n_sites))), None],
            ],
            format="csc",
        )
    )
    a.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_groups + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([np.zeros(n_sites), red.weights / float(red.weights.max())])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.full(n_groups + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(n_groups), [float(red.k)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_groups + 1
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    return lp


def _solve_highs(
    red: _Reduced, start: list[int], *, time_limit_s: float | None, mip_gap: float
) -> tuple[_MipOutcome, float]:
    """Solve the reduced MCLP with HiGHS; returns the outcome and the model build time.

    First the LP relaxation, with the primal simplex (on MCLP instances about ten
    times faster than the dual simplex HiGHS uses for a MIP's root). Its value
    bounds the optimum; when its ``x`` is integral, or the better of the greedy
    start and the LP's k largest ``x`` is within ``mip_gap`` of the bound, that
    solution is optimal and no branching is needed. Otherwise the same model is
    solved as a MIP, warm-started with that solution.
    """
    import highspy

    t0 = time.perf_counter()
    n_groups, n_sites = red.matrix.shape
    n_cols = n_sites + n_groups
    scale = float(red.weights.max())
    h = _new_highs()
    if h.passModel(_highs_lp(red)) != highspy.HighsStatus.kOk:
        raise DataError(f"HiGHS rejected the MCLP model ({n_sites} sites, {n_groups} demand rows)")
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 4)  # primal
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    h.run()
    lp_status = h.getModelStatus()
    if lp_status != highspy.HighsModelStatus.kOptimal:
        name = h.modelStatusToString(lp_status).lower()
        if lp_status in _stopped_statuses():
            return _MipOutcome(None, False, None, f"LP relaxation {name}", _since(t1)), build_s
        raise DataError(
            f"HiGHS could not solve the MCLP relaxation ({n_sites} sites, {n_groups} demand "
            f"rows, k={red.k}): model status {name!r}"
        )
    bound = float(h.getInfo().objective_function_value) * scale
    x_lp = np.asarray(h.getSolution().col_value[:n_sites])
    if np.all(np.minimum(x_lp, 1.0 - x_lp) <= 1e-7):
        sites = np.flatnonzero(x_lp > 0.5)
        if _covered_weight(red, sites) >= bound * (1.0 - 1e-9):
            return _MipOutcome(sites, True, 0.0, "optimal (LP relaxation integral)", _since(t1)), (
                build_s
            )
    rounded = np.argsort(-x_lp, kind="stable")[: red.k]
    best = max((np.asarray(start, dtype=np.int64), rounded), key=lambda s: _covered_weight(red, s))
    best_value = _covered_weight(red, best)
    gap = _relative_gap(bound, best_value)
    if gap <= mip_gap:
        status_txt = "optimal (within mip_gap of the LP bound)"
        return _MipOutcome(best, True, gap, status_txt, _since(t1)), build_s

    # reduced-cost fixing: z(x) <= bound - |d_j| whenever x_j leaves its LP bound, so a
    # site whose |d_j| exceeds bound - best_value is fixed (no better solution moves it)
    d = np.abs(np.asarray(h.getSolution().col_dual[:n_sites])) * scale
    slack = bound - best_value + 1e-7 * max(1.0, abs(bound))
    duals_ok = h.getInfo().dual_solution_status == 2  # kSolutionStatusFeasible
    fix0 = (x_lp <= 1e-9) & (d > slack) & duals_ok
    fix1 = (x_lp >= 1.0 - 1e-9) & (d > slack) & duals_ok
    fixed = np.flatnonzero(fix0 | fix1)
    if fixed.size:
        value = fix1[fixed].astype(np.float64)
        h.changeColsBounds(fixed.size, fixed.astype(np.int32), value, value)
    logger.debug(
        "MCLP LP bound %.6g, incumbent %.6g: %d sites fixed to 0, %d to 1, %d free",
        bound,
        best_value,
        int(fix0.sum()),
        int(fix1.sum()),
        n_sites - fixed.size,
    )

    # branch and bound on the free sites, warm-started with the best solution at hand
    h.changeColsIntegrality(
        n_sites,
        np.arange(n_sites, dtype=np.int32),
        np.full(n_sites, highspy.HighsVarType.kInteger),
    )
    h.setOptionValue("solver", "choose")
    h.setOptionValue("simplex_strategy", 1)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if time_limit_s is not None:
        h.setOptionValue("time_limit", max(float(time_limit_s) - _since(t1), 1e-3))
    x0 = np.zeros(n_sites)
    x0[best] = 1.0
    y0 = np.minimum(red.matrix @ x0, 1.0)
    h.setSolution(n_cols, np.arange(n_cols, dtype=np.int32), np.concatenate([x0, y0]))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    name = h.modelStatusToString(status)
    feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if status == highspy.HighsModelStatus.kOptimal:
        x = np.asarray(h.getSolution().col_value[:n_sites])
        gap_now = float(info.mip_gap) if math.isfinite(info.mip_gap) else 0.0
        sites = np.flatnonzero(x > 0.5)
        return _MipOutcome(sites, True, gap_now, "optimal", _since(t1)), build_s
    if status in _stopped_statuses():
        if feasible:
            x = np.asarray(h.getSolution().col_value[:n_sites])
            sites = np.flatnonzero(x > 0.5)
            value = _covered_weight(red, sites)
            if value < best_value:
                sites, value = best, best_value
            dual = float(info.mip_dual_bound) * scale
            gap_now = _relative_gap(min(bound, dual) if math.isfinite(dual) else bound, value)
            status_txt = f"{name.lower()}: best solution kept"
            return _MipOutcome(sites, False, gap_now, status_txt, _since(t1)), build_s
        return _MipOutcome(best, False, gap, f"{name.lower()}: start solution kept", _since(t1)), (
            build_s
        )
    raise DataError(
        f"HiGHS could not solve the MCLP model ({n_sites} sites, {n_groups} demand rows, "
        f"k={red.k}): model status {name!r}"
    )


def _since(t: float) -> float:
    return time.perf_counter() - t


def _stopped_statuses() -> set[Any]:
    import highspy

    return {
        getattr(highspy.HighsModelStatus, name)
        for name in _STOPPED_STATUSES
        if hasattr(highspy.HighsModelStatus, name)
    }


# ----------------------------------------------------------------------------------------
# the matrix-level entry point
# ----------------------------------------------------------------------------------------


def _prune(csc: sp.csc_array, w: FloatArray, chosen: list[int], keep: set[int]) -> list[int]:
    """Drop chosen sites (not in ``keep``) that add no covered weight to the others."""
    n_demand = csc.shape[0]
    count = np.zeros(n_demand, dtype=np.int64)
    cols = {j: csc.indices[csc.indptr[j] : csc.indptr[j + 1]] for j in chosen}
    for rows in cols.values():
        count[rows] += 1
    out = list(chosen)
    for j in sorted(chosen, key=lambda c: (cols[c].size, c)):
        if j in keep:
            continue
        rows = cols[j]
        rows = rows[w[rows] > 0]
        if np.all(count[rows] >= 2):
            count[cols[j]] -= 1
            out.remove(j)
    return out


def solve_mclp(
    coverage: Any,
    weights: ArrayLike,
    k: int,
    *,
    solver: str = "highs",
    time_limit_s: float | None = None,
    mip_gap: float = 0.0,
    forced: Sequence[int] = (),
    excluded: Sequence[int] = (),
    allow_fewer: bool = False,
) -> PlacementResult:
    """Solve a maximal covering location problem given as a coverage matrix.

    The model (see the module docstring)::

        max Σ_i w_i y_i   s.t.   y_i <= Σ_{j ∈ N_i} x_j,   Σ_j x_j <= k,
                                 x_j ∈ {0, 1},  0 <= y_i <= 1,
                                 x_j = 1 (j forced),  x_j = 0 (j excluded)

    Parameters
    ----------
    coverage : scipy.sparse matrix or array-like of bool, shape (n_demand, n_candidates)
        ``coverage[i, j]`` is true (non-zero) when candidate site ``j`` covers
        demand point ``i`` (``j ∈ N_i``).
    weights : array-like of float, shape (n_demand,)
        Weight of each demand point (population, asset value), finite and >= 0.
    k : int
        Number of units to place, >= 1.
    solver : {"highs", "greedy"}, default "highs"
        ``"highs"``: the MILP with HiGHS (highspy), warm-started with the greedy
        solution; falls back to ``"greedy"`` (with a :class:`PlacementWarning`) when
        highspy is not installed or stops without a solution. ``"greedy"``: add the
        site with the largest marginal covered weight, k times (a (1 − 1/e)
        approximation).
    time_limit_s : float, optional
        Wall-clock limit for HiGHS, s. When reached, the best solution found is kept,
        flagged ``optimal=False`` with its MIP gap (and a :class:`PlacementWarning`).
    mip_gap : float, default 0.0
        Relative MIP gap at which HiGHS may stop and call the solution optimal.
    forced : sequence of int
        Candidate sites that must be chosen (e.g. units already deployed).
    excluded : sequence of int
        Candidate sites that must not be chosen (e.g. too close to hostile territory).
    allow_fewer : bool, default False
        When ``k`` exceeds the available sites: False raises ConfigError; True warns
        and places one unit on every available site.

    Returns
    -------
    PlacementResult

    Raises
    ------
    DataError
        Empty candidate set or demand, a malformed coverage matrix, weights of the
        wrong length, NaN, infinite or negative weights, every candidate excluded.
    ConfigError
        ``k <= 0``, ``k`` larger than the available sites (without ``allow_fewer``),
        an unknown solver, bad ``time_limit_s``/``mip_gap``, forced/excluded indices
        out of range or overlapping, more forced sites than ``k``.
    """
    t0 = time.perf_counter()
    csr = _as_coverage(coverage)
    n_demand, n_cand = csr.shape
    if n_cand == 0:
        raise DataError("candidates: empty candidate set (the coverage matrix has no columns)")
    if n_demand == 0:
        raise DataError("demand: no demand points (the coverage matrix has no rows)")
    w = _as_weights(weights, n_demand)
    k = _check_k(k)
    _check_options(solver, time_limit_s, mip_gap)
    forced_idx = _as_indices(forced, n_cand, "forced")
    excluded_idx = _as_indices(excluded, n_cand, "excluded")
    both = np.intersect1d(forced_idx, excluded_idx)
    if both.size:
        raise ConfigError(f"forced and excluded: site {int(both[0])} is in both")
    n_available = n_cand - excluded_idx.size
    if n_available == 0:
        raise DataError(f"candidates: all {n_cand} candidate sites are excluded")
    if k > n_available:
        msg = f"k={k} is larger than the {n_available} available candidate sites"
        if excluded_idx.size:
            msg += f" ({n_cand} minus {excluded_idx.size} excluded)"
        if not allow_fewer:
            raise ConfigError(msg + "; lower k or pass allow_fewer=True")
        warnings.warn(msg + f"; placing {n_available}", PlacementWarning, stacklevel=2)
        k = n_available
    if forced_idx.size > k:
        raise ConfigError(f"forced: {forced_idx.size} forced sites but only k={k} units")

    csc = sp.csc_array(csr)
    csc.sort_indices()
    allowed = np.ones(n_cand, dtype=bool)
    allowed[excluded_idx] = False
    total = float(w.sum())
    common = {"k": k, "n_candidates": n_cand, "n_demand": n_demand}
    common["n_excluded"] = int(excluded_idx.size)

    def finish(
        chosen: list[int],
        *,
        used: str,
        optimal: bool,
        gap: float | None,
        status: str,
        build_s: float,
        solve_s: float,
    ) -> PlacementResult:
        chosen = sorted(_prune(csc, w, chosen, set(forced_idx.tolist())))
        covered = np.zeros(n_demand, dtype=bool)
        if chosen:
            covered = np.asarray(csc[:, chosen].sum(axis=1)).ravel() > 0
        covered.setflags(write=False)
        objective = float(w[covered].sum())
        return PlacementResult(
            chosen=tuple(int(j) for j in chosen),
            objective=objective,
            total_weight=total,
            coverage_share=objective / total if total > 0 else 0.0,
            covered=covered,
            solve_time_s=solve_s,
            build_time_s=build_s,
            solver=used,
            optimal=optimal,
            mip_gap=gap,
            status=status,
            **common,
        )

    if solver == "highs" and not _highs_available():
        warnings.warn(
            "highspy is not installed; solving the placement with the greedy heuristic",
            PlacementWarning,
            stacklevel=2,
        )
        solver = "greedy"

    if solver == "greedy":
        build_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        chosen = _greedy(csr, csc, w, k, start=forced_idx, allowed=allowed)
        solve_s = time.perf_counter() - t1
        return finish(
            chosen,
            used="greedy",
            optimal=False,
            gap=None,
            status="greedy heuristic",
            build_s=build_s,
            solve_s=solve_s,
        )

    red, _ = _reduce(csr, csc, w, k, forced_idx, allowed)
    n_sites = red.sites.size
    logger.debug(
        "MCLP reduced from %d×%d to %d×%d (k=%d left)",
        n_demand,
        n_cand,
        red.matrix.shape[0],
        n_sites,
        red.k,
    )
    forced_list = [int(j) for j in forced_idx]
    if red.k == 0 or n_sites <= red.k:
        # every useful site fits within the budget (or no unit is left): nothing to choose
        chosen = forced_list + ([int(j) for j in red.sites] if red.k > 0 else [])
        return finish(
            chosen,
            used="highs",
            optimal=True,
            gap=0.0,
            status="optimal (every useful site fits within k)",
            build_s=time.perf_counter() - t0,
            solve_s=0.0,
        )
    red_csc = sp.csc_array(red.matrix)
    start = _greedy(
        red.matrix,
        red_csc,
        red.weights,
        red.k,
        start=np.zeros(0, dtype=np.int64),
        allowed=np.ones(n_sites, dtype=bool),
    )
    start = _swap_improve(red.matrix, red_csc, red.weights, start, max_rounds=4 * red.k)
    prep_s = time.perf_counter() - t0
    outcome, model_s = _solve_highs(red, start, time_limit_s=time_limit_s, mip_gap=mip_gap)
    build_s = prep_s + model_s
    if outcome.sites is None:
        warnings.warn(
            f"HiGHS stopped without a solution ({outcome.status}); using the greedy heuristic",
            PlacementWarning,
            stacklevel=2,
        )
        return finish(
            forced_list + [int(red.sites[j]) for j in start],
            used="greedy",
            optimal=False,
            gap=None,
            status=f"highs {outcome.status}; greedy fallback",
            build_s=build_s,
            solve_s=outcome.solve_time_s,
        )
    if not outcome.optimal:
        gap_txt = "unknown" if outcome.mip_gap is None else f"{outcome.mip_gap:.2%}"
        warnings.warn(
            f"HiGHS stopped before proving optimality ({outcome.status}); MIP gap {gap_txt}",
            PlacementWarning,
            stacklevel=2,
        )
    return finish(
        forced_list + [int(red.sites[j]) for j in outcome.sites],
        used="highs",
        optimal=outcome.optimal,
        gap=outcome.mip_gap,
        status=outcome.status,
        build_s=build_s,
        solve_s=outcome.solve_time_s,
    )


# ----------------------------------------------------------------------------------------
# geography: coverage by distance, stand-off from hostile territory
# ----------------------------------------------------------------------------------------


def _unit_xyz(lon: FloatArray, lat: FloatArray) -> FloatArray:
    lam, phi = np.radians(lon), np.radians(lat)
    c = np.cos(phi)
    return np.column_stack([c * np.cos(lam), c * np.sin(lam), np.sin(phi)])


def _check_radius(radius_km: float) -> float:
    try:
        r = float(radius_km)
    except (TypeError, ValueError):
        raise ConfigError(f"radius_km={radius_km!r}: not a number") from None
    if not (math.isfinite(r) and r > 0):
        raise ConfigError(f"radius_km={radius_km}: the coverage radius must be positive")
    return r


def coverage_matrix(
    cand_lon: ArrayLike,
    cand_lat: ArrayLike,
    demand_lon: ArrayLike,
    demand_lat: ArrayLike,
    *,
    radius_km: float,
) -> sp.csr_array:
    """Which candidate sites lie within ``radius_km`` of which demand points.

    Pairs are pre-selected with a k-d tree on unit-sphere coordinates (a chord
    radius slightly larger than ``radius_km``), then tested with the exact
    geodesic distance on the WGS84 ellipsoid (:class:`pyproj.Geod`), so the
    result is the geodesic test without a projection's scale error, anywhere.

    Parameters
    ----------
    cand_lon, cand_lat : array-like of float
        Candidate sites, degrees (EPSG:4326).
    demand_lon, demand_lat : array-like of float
        Demand points, degrees (EPSG:4326).
    radius_km : float
        Coverage radius, km (geodesic), > 0.

    Returns
    -------
    scipy.sparse.csr_array
        Shape (n_demand, n_candidates), 1.0 where the geodesic distance is
        <= ``radius_km``.
    """
    r_km = _check_radius(radius_km)
    clon, clat = np.asarray(cand_lon, dtype=float), np.asarray(cand_lat, dtype=float)
    dlon, dlat = np.asarray(demand_lon, dtype=float), np.asarray(demand_lat, dtype=float)
    shape = (dlon.size, clon.size)
    if clon.size == 0 or dlon.size == 0:
        return sp.csr_array(shape, dtype=np.float64)
    ang = min((r_km * _PRESELECT_FACTOR + _PRESELECT_PAD_KM) / _EARTH_RADIUS_KM, math.pi)
    chord = 2.0 * math.sin(ang / 2.0) + 1e-12
    tree_d = cKDTree(_unit_xyz(dlon, dlat))
    tree_c = cKDTree(_unit_xyz(clon, clat))
    pairs = tree_d.sparse_distance_matrix(tree_c, chord, output_type="ndarray")
    i = pairs["i"].astype(np.int64)
    j = pairs["j"].astype(np.int64)
    if i.size:
        _, _, dist_m = _GEOD.inv(dlon[i], dlat[i], clon[j], clat[j])
        near = np.asarray(dist_m) <= r_km * 1000.0
        i, j = i[near], j[near]
    mat = sp.csr_array((np.ones(i.size), (i, j)), shape=shape)
    mat.sum_duplicates()
    mat.sort_indices()
    return mat


def standoff_mask(
    lon: ArrayLike, lat: ArrayLike, hostile: BaseGeometry, *, standoff_km: float
) -> BoolArray:
    """Which points are closer than ``standoff_km`` to (or inside) hostile territory.

    Distances are measured in garant's metric projection
    (:data:`garant.frontline.line.METRIC_CRS`, scale error below 0.5 % over
    Ukraine); points within 3 % of the threshold are re-measured as the geodesic
    (WGS84) distance to their nearest point of the territory.

    Parameters
    ----------
    lon, lat : array-like of float
        Points, degrees (EPSG:4326).
    hostile : BaseGeometry
        Hostile territory (e.g. :func:`hostile_territory`), EPSG:4326.
    standoff_km : float
        Minimum distance from hostile territory, km, >= 0 (0: only points inside
        the territory are flagged).

    Returns
    -------
    numpy.ndarray of bool
        True for points that violate the stand-off.
    """
    from garant.frontline.line import METRIC_CRS, to_metric

    if not (math.isfinite(standoff_km) and standoff_km >= 0):
        raise ConfigError(f"standoff_km={standoff_km}: must be a distance >= 0 km")
    x_lon, x_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if x_lon.size == 0 or hostile is None or hostile.is_empty:
        return np.zeros(x_lon.size, dtype=bool)
    to_m = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    xm, ym = to_m.transform(x_lon, x_lat)
    pts: NDArray[np.object_] = np.asarray(shapely.points(np.asarray(xm), np.asarray(ym)))
    area = to_metric(hostile)
    shapely.prepare(area)
    inside = shapely.intersects(area, pts)
    limit_m = standoff_km * 1000.0
    if limit_m == 0:
        return np.asarray(inside, dtype=bool)
    maybe = shapely.dwithin(area, pts, limit_m * 1.03)
    flagged = np.asarray(inside, dtype=bool).copy()
    idx = np.flatnonzero(maybe & ~inside)
    if idx.size:
        lines = shapely.shortest_line(pts[idx], area)
        near = shapely.get_point(lines, 1)
        nx, ny = shapely.get_x(near), shapely.get_y(near)
        from_m = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)
        nlon, nlat = from_m.transform(nx, ny)
        _, _, d_m = _GEOD.inv(x_lon[idx], x_lat[idx], np.asarray(nlon), np.asarray(nlat))
        flagged[idx] = np.asarray(d_m) < limit_m
    return flagged


def hostile_territory(
    occupied: BaseGeometry | None, *, countries: Sequence[str] = ("RUS", "BLR")
) -> BaseGeometry:
    """The attacker's ground for a stand-off: occupied Ukraine plus Russia and Belarus.

    Parameters
    ----------
    occupied : BaseGeometry or None
        Russian-held territory of Ukraine (EPSG:4326), e.g. :func:`occupied_from_store`.
    countries : sequence of str, default ("RUS", "BLR")
        ISO 3166 alpha-3 codes of :func:`garant.sources.geography.countries` to add.

    Returns
    -------
    BaseGeometry
        A valid (Multi)Polygon, EPSG:4326. Russia is the bundled layer's (clipped to
        lon 19–50°, lat 40–60°, which holds every point within reach of Ukraine).
    """
    from garant.sources.geography import countries as _countries

    table = _countries()
    codes = [c.upper() for c in countries]
    unknown = sorted(set(codes) - set(table["iso_a3"]))
    if unknown:
        raise ConfigError(
            f"countries: {', '.join(unknown)} not in the bundled countries "
            f"({', '.join(sorted(table['iso_a3']))})"
        )
    parts = list(table.loc[table["iso_a3"].isin(codes), "geometry"])
    if occupied is not None and not occupied.is_empty:
        parts.append(occupied)
    geom = shapely.union_all(parts)
    return shapely.make_valid(geom) if not geom.is_valid else geom


def occupied_from_store(store: Store, date: dt.date | str | None = None) -> BaseGeometry:
    """Russian-held territory from the frontline store, on a date.

    Parameters
    ----------
    store : garant.store.Store
        An open store.
    date : datetime.date or str (YYYY-MM-DD), optional
        The latest timeline snapshot on or before this date; default the latest.

    Returns
    -------
    BaseGeometry
        Occupied territory (union of the occupied layer kinds), EPSG:4326.

    Raises
    ------
    NotFoundError
        The store is empty or has no snapshot on or before ``date``.
    DataError
        ``date`` is not a date.
    """
    timeline = store.timeline()
    if timeline.empty:
        raise NotFoundError(f"store {store.path}: no snapshots; ingest some first")
    dates = pd.to_datetime(timeline["date"]).dt.date.to_numpy()
    if date is None:
        pos = len(timeline) - 1
    else:
        if isinstance(date, str):
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise DataError(f"date {date!r}: expected YYYY-MM-DD") from None
        elif isinstance(date, dt.datetime):
            day = date.date()
        else:
            day = date
        on_or_before = np.flatnonzero(dates <= day)
        if on_or_before.size == 0:
            raise NotFoundError(
                f"store {store.path}: no snapshot on or before {day} (the first is {dates[0]})"
            )
        pos = int(on_or_before[-1])
    snapshot_id = int(timeline["snapshot_id"].iloc[pos])
    return store.load_occupied([snapshot_id])[snapshot_id]


# ----------------------------------------------------------------------------------------
# the geographic adapter
# ----------------------------------------------------------------------------------------


def _points_lonlat(gdf: Any, what: str) -> tuple[FloatArray, FloatArray]:
    """Check a frame of points and return lon/lat in EPSG:4326."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if len(gdf) == 0:
        kind = "candidate set" if what == "candidates" else "set of demand points"
        raise DataError(f"{what}: empty {kind}")
    if gdf.crs is None:
        raise DataError(f"{what}: no CRS; set one (EPSG:4326 expected)")
    if not gdf.crs.equals(pyproj.CRS.from_epsg(4326)):
        gdf = gdf.to_crs(4326)
    geom: NDArray[np.object_] = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    bad = shapely.is_missing(geom) | shapely.is_empty(geom)
    bad |= shapely.get_type_id(geom) != 0  # Point
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{what}: {int(bad.sum())} geometries are not points "
            f"(first at row {i}: {'missing' if geom[i] is None else geom[i].geom_type})"
        )
    lon, lat = shapely.get_x(geom), shapely.get_y(geom)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise DataError(f"{what}: non-finite coordinates")
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _weight_column(demand: gpd.GeoDataFrame, weight: str, what: str = "demand") -> FloatArray:
    if weight not in demand.columns:
        cols = ", ".join(str(c) for c in demand.columns if c != demand.geometry.name)
        raise DataError(f"{what}: no weight column {weight!r} (columns: {cols or 'none'})")
    col = pd.to_numeric(demand[weight], errors="coerce").to_numpy(dtype=float)
    return _as_weights(col, len(demand), what=f"{what} column {weight!r}")


def place(
    candidates: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
    *,
    k: int,
    radius_km: float,
    weight: str = "weight",
    standoff_from: BaseGeometry | None = None,
    standoff_km: float = 0.0,
    solver: str = "highs",
    time_limit_s: float | None = None,
    mip_gap: float = 0.0,
    allow_fewer: bool = False,
) -> PlacementResult:
    """Place ``k`` units among candidate sites to cover the most demand within a radius.

    The geographic adapter of :func:`solve_mclp`: site ``j`` covers demand point
    ``i`` when their geodesic distance (WGS84) is at most ``radius_km``
    (:func:`coverage_matrix`); sites closer than ``standoff_km`` to
    ``standoff_from`` are excluded (:func:`standoff_mask`).

    Parameters
    ----------
    candidates : geopandas.GeoDataFrame
        Candidate sites (points). EPSG:4326 expected; other CRSs are reprojected.
    demand : geopandas.GeoDataFrame
        Demand points with a weight column.
    k : int
        Number of units, >= 1.
    radius_km : float
        Coverage radius of a unit, km, > 0.
    weight : str, default "weight"
        Demand column with the weights (finite, >= 0).
    standoff_from : BaseGeometry, optional
        Hostile territory in EPSG:4326 (see :func:`hostile_territory`).
    standoff_km : float, default 0
        Minimum distance of a site from ``standoff_from``, km.
    solver, time_limit_s, mip_gap, allow_fewer
        As for :func:`solve_mclp`.

    Returns
    -------
    PlacementResult
        With ``radius_km``, ``standoff_km``, ``n_excluded_standoff`` and ``sites``
        (the chosen candidate rows in EPSG:4326, with ``covers_weight``, the weight
        within reach of each site on its own).

    Raises
    ------
    DataError
        Empty inputs, no CRS, non-point geometries, a missing or bad weight
        column, every candidate excluded by the stand-off.
    ConfigError
        Bad ``k``, ``radius_km``, ``standoff_km``, or a stand-off without territory.
    """
    c_lon, c_lat = _points_lonlat(candidates, "candidates")
    d_lon, d_lat = _points_lonlat(demand, "demand")
    w = _weight_column(demand, weight)
    r_km = _check_radius(radius_km)
    _check_k(k)
    if not (math.isfinite(standoff_km) and standoff_km >= 0):
        raise ConfigError(f"standoff_km={standoff_km}: must be a distance >= 0 km")
    if standoff_km > 0 and standoff_from is None:
        raise ConfigError(f"standoff_km={standoff_km}: no territory to stand off from")

    n_standoff = 0
    excluded: list[int] = []
    if standoff_from is not None:
        mask = standoff_mask(c_lon, c_lat, standoff_from, standoff_km=standoff_km)
        excluded = [int(j) for j in np.flatnonzero(mask)]
        n_standoff = len(excluded)
        if n_standoff == len(candidates):
            raise DataError(
                f"candidates: all {n_standoff} candidate sites are within the "
                f"{standoff_km:g} km stand-off from hostile territory"
            )
        logger.info(
            "stand-off %.0f km excludes %d of %d sites", standoff_km, n_standoff, len(c_lon)
        )

    cov = coverage_matrix(c_lon, c_lat, d_lon, d_lat, radius_km=r_km)
    result = solve_mclp(
        cov,
        w,
        k,
        solver=solver,
        time_limit_s=time_limit_s,
        mip_gap=mip_gap,
        excluded=excluded,
        allow_fewer=allow_fewer,
    )
    sites = (
        candidates.to_crs(4326)
        if not candidates.crs.equals(pyproj.CRS.from_epsg(4326))
        else candidates
    )
    sites = sites.iloc[list(result.chosen)].copy()
    if result.chosen:
        sites["covers_weight"] = np.asarray(sp.csc_array(cov)[:, list(result.chosen)].T @ w)
    else:
        sites["covers_weight"] = np.zeros(0)
    return dataclasses.replace(
        result,
        radius_km=r_km,
        standoff_km=float(standoff_km) if standoff_from is not None else None,
        n_excluded_standoff=n_standoff,
        sites=sites,
    )


# ----------------------------------------------------------------------------------------
# files
# ----------------------------------------------------------------------------------------


def _read_csv_points(path: Path) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: empty CSV file") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from None
    lower = {str(c).strip().lower(): c for c in df.columns}
    pair = next(((x, y) for x, y in _COORD_COLUMNS if x in lower and y in lower), None)
    if pair is None:
        wanted = ", ".join(f"{x}/{y}" for x, y in _COORD_COLUMNS)
        found = ", ".join(str(c) for c in df.columns)
        raise DataError(f"{path}: missing coordinate columns; expected {wanted} (found: {found})")
    xcol, ycol = lower[pair[0]], lower[pair[1]]
    lon = pd.to_numeric(df[xcol], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(df[ycol], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(lon) & np.isfinite(lat))
    bad |= (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{path}: {int(bad.sum())} rows without valid lon/lat degrees in columns "
            f"{xcol!r}/{ycol!r} (first on line {i + 2}: {df[xcol].iloc[i]!r}, {df[ycol].iloc[i]!r})"
        )
    rest = df.drop(columns=[xcol, ycol])
    return gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def read_points(path: str | Path, *, weight: str | None = None) -> gpd.GeoDataFrame:
    """Read points (candidate sites or demand) from GeoJSON or CSV.

    Parameters
    ----------
    path : str or Path
        A GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``) or CSV file. A CSV
        needs longitude/latitude columns in degrees (WGS84): ``lon``/``lat``,
        ``longitude``/``latitude``, ``lng``/``lat`` or ``x``/``y`` (any case).
    weight : str, optional
        A column that must be present, numeric, finite and >= 0.

    Returns
    -------
    geopandas.GeoDataFrame
        The file's columns and point geometries, in the file's CRS (EPSG:4326 for CSV).

    Raises
    ------
    NotFoundError
        No such file.
    DataError
        Unsupported format, unreadable or empty file, missing or bad coordinate or
        weight columns, geometries that are not points.
    """
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"{p}: no such file")
    if not p.is_file():
        raise DataError(f"{p}: not a file")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt"):
        gdf = _read_csv_points(p)
    elif suffix in (".geojson", ".json", ".gpkg", ".fgb"):
        import pyogrio

        try:
            gdf = gpd.read_file(p)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
            raise DataError(f"{p}: not a readable {suffix[1:]} file ({exc})") from None
    else:
        raise DataError(f"{p}: unsupported format {suffix or '(none)'}; use GeoJSON or CSV")
    if len(gdf) == 0:
        raise DataError(f"{p}: no points")
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise DataError(f"{p}: no geometry")
    _points_lonlat(gdf, str(p))
    if weight is not None:
        gdf[weight] = _weight_column(gdf, weight, what=str(p))
    return gdf


def place_from_files(
    candidates_path: str | Path,
    demand_path: str | Path,
    *,
    k: int,
    radius_km: float,
    weight: str = "weight",
    standoff_from: BaseGeometry | None = None,
    standoff_km: float = 0.0,
    solver: str = "highs",
    time_limit_s: float | None = None,
    mip_gap: float = 0.0,
    allow_fewer: bool = False,
) -> PlacementResult:
    """:func:`place` on candidate sites and demand points read with :func:`read_points`.

    Parameters
    ----------
    candidates_path, demand_path : str or Path
        GeoJSON or CSV point files; the demand file needs the ``weight`` column.
    k, radius_km, weight, standoff_from, standoff_km, solver, time_limit_s, mip_gap, allow_fewer
        As for :func:`place`.

    Returns
    -------
    PlacementResult
    """
    candidates = read_points(candidates_path)
    demand = read_points(demand_path, weight=weight)
    return place(
        candidates,
        demand,
        k=k,
        radius_km=radius_km,
        weight=weight,
        standoff_from=standoff_from,
        standoff_km=standoff_km,
        solver=solver,
        time_limit_s=time_limit_s,
        mip_gap=mip_gap,
        allow_fewer=allow_fewer,
    )

"""Campaigns: raids night after night, magazines carried over, resupply.

Each night one raid of the scenario is flown (the full raid, or a fraction of
every wave drawn from a distribution of raid sizes); the rounds each unit holds
carry over; before the next night every unit reloads its ready rounds from its
reserve, and every ``resupply_every_nights`` nights each unit type receives
its resupply, shared among its units (the units holding the fewest rounds get
the remainder). The runs are independent Monte Carlo campaigns.

A unit type **runs dry** on the first night at whose end its units hold no
rounds at all (ready and reserve); :attr:`CampaignResults.nights_until_dry`
gives that night (1-based) per run and type, ``inf`` if it never happened
within the campaign.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from garant.air.classes import THREAT_CLASSES
from garant.air.raids import RaidScenario, SeedLike, _initial_state, _seeds, describe, run_batch
from garant.errors import DataError

__all__ = ["CampaignResults", "simulate_campaign"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class CampaignResults:
    """Outcomes of Monte Carlo campaigns; arrays over runs (axis 0) and nights (axis 1).

    Attributes
    ----------
    unit_types : tuple of str
        Unit type names (last axis of ``shots``, ``rounds_left``, ``nights_until_dry``).
    target_names : tuple of str
        Targets (last axis of ``hits``).
    launched, destroyed, lost_ew, leaked : numpy.ndarray of int64, shape (R, N, C)
        Per night and threat class (over THREAT_CLASSES).
    hits : numpy.ndarray of int64, shape (R, N, A)
        Hits on each target per night.
    shots : numpy.ndarray of int64, shape (R, N, K)
        Interceptors spent per night and unit type.
    rounds_left : numpy.ndarray of int64, shape (R, N, K)
        Rounds (ready + reserve) per unit type at the end of each night, after
        that night's fighting and before resupply.
    defender_cost_usd, attacker_cost_usd : numpy.ndarray, shape (R, N)
        Cost of the interceptors spent and of the threats launched, per night.
    nights_until_dry : numpy.ndarray, shape (R, K)
        First night (1-based) at whose end the type held no rounds; ``inf``:
        not within the campaign; NaN: the type has no shooting unit deployed.
    deployed : numpy.ndarray of bool, shape (K,)
        Whether the type has a shooting unit in the scenario.
    """

    unit_types: tuple[str, ...]
    target_names: tuple[str, ...]
    launched: NDArray[np.int64]
    destroyed: NDArray[np.int64]
    lost_ew: NDArray[np.int64]
    leaked: NDArray[np.int64]
    hits: NDArray[np.int64]
    shots: NDArray[np.int64]
    rounds_left: NDArray[np.int64]
    defender_cost_usd: NDArray[np.float64]
    attacker_cost_usd: NDArray[np.float64]
    nights_until_dry: NDArray[np.float64]
    deployed: NDArray[np.bool_]

    @property
    def n_runs(self) -> int:
        """Number of Monte Carlo campaigns."""
        return int(self.launched.shape[0])

    @property
    def nights(self) -> int:
        """Nights per campaign."""
        return int(self.launched.shape[1])

    @property
    def neutralised(self) -> NDArray[np.int64]:
        """Destroyed or lost to EW, per run, night and class."""
        return self.destroyed + self.lost_ew

    @property
    def nights_until_any_dry(self) -> NDArray[np.float64]:
        """First night any deployed shooting type ran dry, per run (``inf``: none did)."""
        d = self.nights_until_dry[:, self.deployed]
        if d.shape[1] == 0:
            return np.full(self.n_runs, np.nan)
        return np.asarray(d.min(axis=1), dtype=np.float64)

    @property
    def nights_until_all_dry(self) -> NDArray[np.float64]:
        """First night at whose end every deployed shooting type held no rounds (per run)."""
        if not self.deployed.any():
            return np.full(self.n_runs, np.nan)
        empty = (self.rounds_left[:, :, self.deployed] == 0).all(axis=2)  # (R, N)
        first = np.where(empty.any(axis=1), empty.argmax(axis=1) + 1.0, np.inf)
        return np.asarray(first, dtype=np.float64)

    def summary(self) -> pd.DataFrame:
        """Per-night distributions by threat class and in total.

        Returns
        -------
        pandas.DataFrame
            Columns ``night, class, metric, mean, p5, p50, p95`` with metrics
            ``launched``, ``neutralised``, ``lost_ew``, ``leaked`` per class
            launched (and ``all``), and ``hits``, ``shots``,
            ``defender_cost_usd``, ``attacker_cost_usd`` for ``all``.
        """
        used = [i for i in range(len(THREAT_CLASSES)) if self.launched[:, :, i].any()]
        labels = [THREAT_CLASSES[i] for i in used] + ["all"]
        frames = []
        for night in range(self.nights):
            for metric, arr in (
                ("launched", self.launched),
                ("neutralised", self.neutralised),
                ("lost_ew", self.lost_ew),
                ("leaked", self.leaked),
            ):
                a = arr[:, night]
                vals = np.column_stack([a[:, used], a.sum(axis=1)])
                frames.append(
                    describe(vals, labels, name="class").assign(metric=metric, night=night + 1)
                )
            for metric, tot in (
                ("hits", self.hits[:, night].sum(axis=1)),
                ("shots", self.shots[:, night].sum(axis=1)),
                ("defender_cost_usd", self.defender_cost_usd[:, night]),
                ("attacker_cost_usd", self.attacker_cost_usd[:, night]),
            ):
                frames.append(
                    describe(tot[:, None], ["all"], name="class").assign(
                        metric=metric, night=night + 1
                    )
                )
        out = pd.concat(frames, ignore_index=True)
        return out[["night", "class", "metric", "mean", "p5", "p50", "p95"]]

    def dry_summary(self) -> pd.DataFrame:
        """Nights until magazines run dry, per deployed shooting type, ``any`` and ``all``.

        Returns
        -------
        pandas.DataFrame
            Columns ``unit_type, dry_share`` (share of runs that ran dry within
            the campaign) and ``mean, p5, p50, p95`` of the night (``inf`` where
            too few runs ran dry for the statistic: the mean is ``inf`` as soon
            as one run did not run dry).
        """
        labels = [t for t, d in zip(self.unit_types, self.deployed, strict=True) if d]
        cols = [self.nights_until_dry[:, self.deployed]]
        cols.append(self.nights_until_any_dry[:, None])
        cols.append(self.nights_until_all_dry[:, None])
        vals = np.column_stack(cols)
        # never dry -> a sentinel past the campaign, mapped back to inf afterwards
        capped = np.where(np.isinf(vals), self.nights + 1.0, vals)
        out = describe(capped, [*labels, "any", "all"], name="unit_type")
        for col in ("p5", "p50", "p95"):
            out[col] = out[col].where(out[col] <= self.nights, np.inf)
        finite_mean = np.asarray(~np.isinf(vals).any(axis=0), dtype=bool)
        out["mean"] = out["mean"].where(finite_mean, np.inf)
        out.insert(1, "dry_share", np.isfinite(vals).mean(axis=0))
        return out


def _fractions(raid_fraction: float | ArrayLike) -> NDArray[np.float64]:
    arr = np.atleast_1d(np.asarray(raid_fraction, dtype=np.float64))
    if arr.ndim != 1 or arr.size == 0:
        raise DataError("raid_fraction: expected a number or a non-empty 1-d sample")
    if not (np.isfinite(arr).all() and (arr >= 0).all() and (arr <= 1).all()):
        raise DataError("raid_fraction: fractions of the scenario's raid must lie in [0, 1]")
    return arr


def _active(
    sc: RaidScenario, fraction: NDArray[np.float64], gen: np.random.Generator
) -> NDArray[np.bool_]:
    """Which tracks fly in each run: ``round(f * count)`` random tracks of every wave."""
    g = sc.geometry
    n_runs = fraction.shape[0]
    active = np.ones((n_runs, g.n_tracks), dtype=bool)
    if (fraction >= 1.0).all():
        return active
    for w in range(len(sc.waves)):
        idx = np.flatnonzero(g.track_wave == w)
        if idx.size == 0:
            continue
        n_on = np.rint(fraction * idx.size).astype(np.int64)
        rank = np.argsort(np.argsort(gen.random((n_runs, idx.size)), axis=1), axis=1)
        active[:, idx] = rank < n_on[:, None]
    return active


def _resupply(
    ready: NDArray[np.int64],
    reserve: NDArray[np.int64],
    unit_type: NDArray[np.int64],
    amounts: NDArray[np.int64],
) -> None:
    """Add each type's resupply to its units' reserves (in place)."""
    for k, amount in enumerate(amounts.tolist()):
        cols = np.flatnonzero(unit_type == k)
        if amount <= 0 or cols.size == 0:
            continue
        q, rem = divmod(int(amount), cols.size)
        reserve[:, cols] += q
        if rem:
            totals = ready[:, cols] + reserve[:, cols]
            order = np.argsort(totals, axis=1, kind="stable")[:, :rem]
            rows = np.repeat(np.arange(ready.shape[0]), rem)
            reserve[rows, cols[order.ravel()]] += 1


def simulate_campaign(
    scenario: RaidScenario,
    nights: int,
    n_runs: int,
    *,
    rng: SeedLike = None,
    raid_fraction: float | ArrayLike = 1.0,
    resupply: Mapping[str, int] | None = None,
    resupply_every_nights: int = 7,
    rounds: ArrayLike | None = None,
    reserve: ArrayLike | None = None,
) -> CampaignResults:
    """Monte Carlo of a campaign of raids with magazines carried over.

    Parameters
    ----------
    scenario : RaidScenario
        The raid flown each night and the placed units.
    nights : int
        Nights per campaign (>= 1).
    n_runs : int
        Independent campaigns (>= 1).
    rng : int or numpy.random.Generator, optional
        Seed or generator; the same seed gives identical results.
    raid_fraction : float or array_like
        Share of every wave launched each night: a number (a fixed raid) or a
        sample of shares in [0, 1] from which each night of each run draws one
        (a distribution of raid sizes). ``round(share * count)`` tracks of each
        wave, chosen at random, fly.
    resupply : mapping of str to int, optional
        Rounds per unit type delivered every ``resupply_every_nights`` nights
        (after nights ``every``, ``2 * every``, ...) and shared among its units.
    resupply_every_nights : int
        Resupply period, nights (1: every night, 7: weekly).
    rounds, reserve : array_like, shape (U,), optional
        Ready and reserve rounds of each placed unit on the first night
        (default: the types' ``magazine`` and ``reserve``).

    Returns
    -------
    CampaignResults
        Per-night outcome distributions and nights until magazines run dry.
    """
    for fname, v in (("nights", nights), ("n_runs", n_runs)):
        if not isinstance(v, int | np.integer) or v < 1:
            raise DataError(f"{fname}: must be a whole number >= 1, got {v!r}")
    if not isinstance(resupply_every_nights, int | np.integer) or resupply_every_nights < 1:
        raise DataError(f"resupply_every_nights: must be >= 1, got {resupply_every_nights!r}")
    sc = scenario
    un = sc.units
    k = len(un.name)
    amounts = np.zeros(k, dtype=np.int64)
    for name, amount in (resupply or {}).items():
        if not isinstance(amount, int | np.integer) or amount < 0:
            raise DataError(f"resupply[{name}]: must be a whole number >= 0, got {amount!r}")
        amounts[un.index(name)] = amount
    sample = _fractions(raid_fraction)
    gen = np.random.default_rng(rng)
    g = sc.geometry
    n_r, n_n = int(n_runs), int(nights)
    ready, res = _initial_state(sc, n_r, rounds, reserve)
    deployed = np.zeros(k, dtype=bool)
    deployed[np.unique(g.unit_type[un.shoots[g.unit_type]])] = True

    c, a = len(THREAT_CLASSES), len(sc.target_names)
    out = {
        "launched": np.zeros((n_r, n_n, c), dtype=np.int64),
        "destroyed": np.zeros((n_r, n_n, c), dtype=np.int64),
        "lost_ew": np.zeros((n_r, n_n, c), dtype=np.int64),
        "leaked": np.zeros((n_r, n_n, c), dtype=np.int64),
        "hits": np.zeros((n_r, n_n, a), dtype=np.int64),
        "shots": np.zeros((n_r, n_n, k), dtype=np.int64),
        "rounds_left": np.zeros((n_r, n_n, k), dtype=np.int64),
    }
    defender = np.zeros((n_r, n_n))
    attacker = np.zeros((n_r, n_n))
    for night in range(n_n):
        frac = (
            np.full(n_r, sample[0])
            if sample.size == 1
            else sample[gen.integers(0, sample.size, n_r)]
        )
        active = _active(sc, frac, gen)
        seeds = _seeds(gen, n_r)
        r = run_batch(sc, active=active, ready=ready, reserve=res, seeds=seeds)
        for name in ("launched", "destroyed", "lost_ew", "leaked", "hits", "shots"):
            out[name][:, night] = getattr(r, name)
        out["rounds_left"][:, night] = r.rounds_left_by_type
        defender[:, night] = r.defender_cost_usd
        attacker[:, night] = r.attacker_cost_usd
        # between nights: resupply, then reload ready rounds from the reserve
        if (night + 1) % resupply_every_nights == 0 and amounts.any():
            _resupply(ready, res, g.unit_type, amounts)
        cap = un.magazine[g.unit_type][None, :]
        fill = np.minimum(np.maximum(cap - ready, 0), res)
        ready += fill
        res -= fill
    empty = out["rounds_left"] == 0  # (R, N, K)
    dry = np.where(empty.any(axis=1), empty.argmax(axis=1) + 1.0, np.inf)
    dry[:, ~deployed] = np.nan
    logger.debug("simulated %d campaigns of %d nights", n_r, n_n)
    return CampaignResults(
        unit_types=un.name,
        target_names=sc.target_names,
        defender_cost_usd=defender,
        attacker_cost_usd=attacker,
        nights_until_dry=dry,
        deployed=deployed,
        **out,
    )

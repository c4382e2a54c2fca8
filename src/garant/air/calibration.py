r"""Observed neutralisation rates, Ukraine's calibrated baseline defence, and the backtest.

The Air Force records (:func:`garant.sources.attacks.read_attack_records`) are normalised
into the threat classes of :data:`garant.air.classes.THREAT_CLASSES`
(:func:`normalise_records`), the **observed rate** of a class in a month is

.. math:: r = (\text{destroyed} + \text{not\_reach\_goal}) / \text{launched}

(:func:`observed_rates`), and :func:`fit_baseline` fits a transparent per-class model of
the neutralisation probability of Ukraine's own defences (and EW) as a function of time
and raid size. :func:`backtest` fits it on the records before a split date and compares
its forecasts per class and month after the split with the naive forecast (the pooled
rate of the last three months before the split); :func:`backtest_score` scores both.

Reporting changes in the records (found in the data, per month)
---------------------------------------------------------------
* Until 2024-07-09 ``not_reach_goal`` is empty in every row: drones lost to electronic
  warfare ("локаційно втрачені", lost locally) are not reported apart; ``destroyed`` is
  the only neutralised count.
* From 2024-07-10 (first filled value; date-only daily summaries) the Air Force reports
  drones (and a few missiles) lost locally separately: ``not_reach_goal`` is filled and
  reaches 30-45 % of the launched Shaheds in 2024-10 … 2025-07, while the share
  ``destroyed / launched`` of Shaheds falls from about 0.85-0.95 to 0.46-0.60.
* From the night of 2025-07-23 ``not_reach_goal`` is 0 in every Shahed row again while
  ``destroyed / launched`` jumps back to about 0.85: the reports now give one figure
  "shot down or suppressed" (збито/подавлено), i.e. ``destroyed`` includes the drones
  lost to EW. (One missile row after that still uses the field: 3 Kinzhal lost locally
  on 2025-07-28.)

Hence ``destroyed`` alone is not comparable over time, but
``neutralised = destroyed + not_reach_goal`` is, and it is what the rates here use.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from garant.air.classes import THREAT_CLASSES
from garant.errors import DataError, GarantWarning, NotFoundError

__all__ = [
    "BACKTEST_COLUMNS",
    "NAIVE_MONTHS",
    "NORMALISED_COLUMNS",
    "RATE_COLUMNS",
    "BaselineModel",
    "ClassLookup",
    "ClassParams",
    "NormalisationReport",
    "UnknownWeaponWarning",
    "apportion",
    "backtest",
    "backtest_score",
    "fit_baseline",
    "nights_by_class",
    "normalise_records",
    "observed_rates",
    "pooled_rates",
    "predict_monthly",
]

logger = logging.getLogger(__name__)

#: Columns of the frame :func:`normalise_records` returns, in order.
NORMALISED_COLUMNS: tuple[str, ...] = (
    "date",
    "month",
    "threat_class",
    "launched",
    "destroyed",
    "not_reach_goal",
    "neutralised",
    "line",
    "model",
)


class UnknownWeaponWarning(GarantWarning):
    """Record weapon names the catalogue does not know were counted as ``unknown``."""


class ClassLookup(Protocol):
    """What :func:`normalise_records` needs of a catalogue."""

    def class_of(self, model_name: str) -> str:
        """Return the threat class of one record model token (``"unknown"`` if unknown)."""
        ...


def _default_catalog() -> ClassLookup:
    """The bundled air catalogue (the single source of truth for weapon classes)."""
    from garant.air.catalog import default_catalog

    return default_catalog()


@dataclass(frozen=True)
class NormalisationReport:
    """What :func:`normalise_records` did with the records.

    Attributes
    ----------
    n_records : int
        Records read.
    n_rows : int
        Rows of the normalised frame (one per record and class).
    unknown_tokens : Mapping of str to int
        Model tokens mapped to ``unknown``, with the number of records naming them.
    unknown_launched : int
        Weapons launched in records of class ``unknown`` (after apportioning bundles).
    unrecognised_tokens : tuple of str
        Those unknown tokens the catalogue does not know at all (a warning names them);
        the others are deliberate aliases such as ``"Unknown UAV"``.
    bundles_same_class : int
        Bundled records whose tokens share one class (kept whole).
    bundles_by_details : int
        Mixed-class bundles apportioned by ``launched_details``.
    bundles_even : int
        Mixed-class bundles split evenly over their tokens.
    dropped_lines : tuple of int
        File lines left out because ``launched`` or ``destroyed`` is missing.
    clipped_lines : tuple of int
        File lines where ``destroyed + not_reach_goal > launched``; ``not_reach_goal`` was
        clipped to ``launched - destroyed``.
    """

    n_records: int
    n_rows: int
    unknown_tokens: Mapping[str, int] = field(default_factory=dict)
    unknown_launched: int = 0
    unrecognised_tokens: tuple[str, ...] = ()
    bundles_same_class: int = 0
    bundles_by_details: int = 0
    bundles_even: int = 0
    dropped_lines: tuple[int, ...] = ()
    clipped_lines: tuple[int, ...] = ()

    def summary(self) -> str:
        """One paragraph for logs and the CLI.

        Returns
        -------
        str
        """
        unknown = ", ".join(f"{k!r} ({v})" for k, v in sorted(self.unknown_tokens.items()))
        return (
            f"{self.n_records} records -> {self.n_rows} class rows; "
            f"bundles: {self.bundles_same_class} one class, {self.bundles_by_details} by "
            f"details, {self.bundles_even} split evenly; "
            f"dropped {len(self.dropped_lines)} (missing counts), "
            f"clipped {len(self.clipped_lines)}; "
            f"unknown: {unknown or 'none'} ({self.unknown_launched} launched)"
        )


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split a whole count in proportion to weights (largest-remainder method).

    Parameters
    ----------
    total
        The count to split (>= 0).
    weights
        Non-negative weights, not all zero.

    Returns
    -------
    list of int
        Parts summing to ``total``; a part never exceeds ``ceil(total * w / sum(w))``, so
        ``apportion(d, l)`` with ``d <= sum(l)`` keeps every part ``<= l_i`` for whole
        ``l``. Ties go to the earlier weight.

    Raises
    ------
    ValueError
        If ``total`` is negative or the weights are negative or all zero.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError(f"cannot apportion {total} by weights {list(weights)}")
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(int)
    rest = total - int(parts.sum())
    order = sorted(range(len(w)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:rest]:
        parts[i] += 1
    return [int(p) for p in parts]


def _bundle_shares(
    tokens: Sequence[str], classes: Sequence[str], details: Mapping[str, float | None] | None
) -> tuple[dict[str, float], bool]:
    """Weights per class for a mixed-class bundle; True when from ``launched_details``."""
    if details:
        known = {k.strip(): v for k, v in details.items() if v is not None}
        if all(t in known for t in tokens) and sum(known[t] for t in tokens) > 0:
            shares: dict[str, float] = {}
            for token, cls in zip(tokens, classes, strict=True):
                shares[cls] = shares.get(cls, 0.0) + float(known[token])
            return shares, True
    shares = {}
    for cls in classes:
        shares[cls] = shares.get(cls, 0.0) + 1.0
    return shares, False


def _month(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%Y-%m")


def normalise_records(
    records: pd.DataFrame, catalog: ClassLookup | None = None
) -> tuple[pd.DataFrame, NormalisationReport]:
    """Normalise attack records into threat classes.

    Each model token is classified with ``catalog.class_of`` (the bundled catalogue by
    default). A record becomes one row per class:

    * a single weapon, or a bundle whose tokens share a class, keeps its counts;
    * a bundle of several classes (e.g. ``"Iskander-M and Iskander-K"``) is apportioned
      by ``launched_details`` when that dict gives a count for every token, else split
      evenly over its tokens (a token's class gets ``1/n`` of the launches per token).
      ``launched`` is split with the largest-remainder method, ``destroyed`` in
      proportion to the class's launches and ``not_reach_goal`` in proportion to the
      class's launches not destroyed, so counts stay whole and
      ``destroyed + not_reach_goal <= launched`` per class. (``destroyed_details`` is
      keyed by region, not weapon, so it cannot apportion; the split assumes one rate
      within a bundle, the only assumption the data allow.)

    Records without ``launched`` or ``destroyed`` are dropped (an empty count is not a
    zero); ``not_reach_goal`` is clipped to ``launched - destroyed`` where the record
    overstates it. Both are listed in the report.

    Parameters
    ----------
    records
        Output of :func:`garant.sources.attacks.read_attack_records`.
    catalog
        Anything with ``class_of(token) -> str``; default the bundled air catalogue.

    Returns
    -------
    tuple of (pandas.DataFrame, NormalisationReport)
        The frame has the columns :data:`NORMALISED_COLUMNS`: ``date`` (night date),
        ``month`` (``"YYYY-MM"``), ``threat_class``, the counts ``launched``,
        ``destroyed``, ``not_reach_goal`` and ``neutralised`` (= destroyed +
        not_reach_goal; ``int64``, weapons), the file ``line`` and the raw ``model``.

    Raises
    ------
    DataError
        If columns are missing or the catalogue returns a class that is not one of
        :data:`~garant.air.classes.THREAT_CLASSES`.

    Warns
    -----
    UnknownWeaponWarning
        When tokens the catalogue does not know were counted as ``unknown``.
    """
    needed = ("date", "model", "models", "launched", "destroyed", "not_reach_goal", "line")
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise DataError(f"attack records: missing column(s) {', '.join(missing)}")
    lookup = catalog if catalog is not None else _default_catalog()
    is_known = getattr(lookup, "is_known_model", None)
    cache: dict[str, str] = {}

    def class_of(token: str) -> str:
        if token not in cache:
            cls = lookup.class_of(token)
            if cls not in THREAT_CLASSES:
                raise DataError(f"catalogue: class {cls!r} of {token!r} is not a threat class")
            cache[token] = cls
        return cache[token]

    rows: list[tuple[object, str, int, int, int, int, str]] = []
    unknown: Counter[str] = Counter()
    dropped: list[int] = []
    clipped: list[int] = []
    same = by_details = even = 0
    details_col = (
        records["launched_details"]
        if "launched_details" in records.columns
        else pd.Series([None] * len(records), index=records.index)
    )
    for date, model, models, launched, destroyed, nrg, line, details in zip(
        records["date"],
        records["model"],
        records["models"],
        records["launched"],
        records["destroyed"],
        records["not_reach_goal"],
        records["line"],
        details_col,
        strict=True,
    ):
        tokens = list(models) if isinstance(models, list | tuple) and models else [str(model)]
        classes = [class_of(t) for t in tokens]
        for token, cls in zip(tokens, classes, strict=True):
            if cls == "unknown":
                unknown[token] += 1
        if pd.isna(launched) or pd.isna(destroyed):
            dropped.append(int(line))
            continue
        n_launched, n_destroyed = int(launched), int(destroyed)
        n_nrg = 0 if pd.isna(nrg) else int(nrg)
        if n_destroyed + n_nrg > n_launched:
            clipped.append(int(line))
            n_nrg = max(n_launched - n_destroyed, 0)
        distinct = list(dict.fromkeys(classes))
        if len(distinct) == 1:
            if len(tokens) > 1:
                same += 1
            rows.append((date, distinct[0], n_launched, n_destroyed, n_nrg, int(line), str(model)))
            continue
        shares, from_details = _bundle_shares(
            tokens, classes, details if isinstance(details, Mapping) else None
        )
        if from_details:
            by_details += 1
        else:
            even += 1
        names = list(shares)
        part_l = apportion(n_launched, [shares[c] for c in names])
        if n_launched > 0:
            part_d = apportion(n_destroyed, part_l)
            rest = [pl - pd_ for pl, pd_ in zip(part_l, part_d, strict=True)]
            part_n = apportion(n_nrg, rest) if n_nrg > 0 else [0] * len(names)
        else:
            part_d = part_n = [0] * len(names)
        for cls, pl, pd_, pn in zip(names, part_l, part_d, part_n, strict=True):
            rows.append((date, cls, pl, pd_, pn, int(line), str(model)))

    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "date",
            "threat_class",
            "launched",
            "destroyed",
            "not_reach_goal",
            "line",
            "model",
        ],
    )
    for col in ("launched", "destroyed", "not_reach_goal", "line"):
        frame[col] = frame[col].astype("int64")
    frame["neutralised"] = frame["destroyed"] + frame["not_reach_goal"]
    frame["month"] = _month(frame["date"]) if len(frame) else pd.Series([], dtype=str)
    frame = frame[list(NORMALISED_COLUMNS)]

    unrecognised = tuple(sorted(t for t in unknown if is_known is None or not bool(is_known(t))))
    report = NormalisationReport(
        n_records=len(records),
        n_rows=len(frame),
        unknown_tokens=dict(sorted(unknown.items())),
        unknown_launched=int(frame.loc[frame["threat_class"] == "unknown", "launched"].sum()),
        unrecognised_tokens=unrecognised,
        bundles_same_class=same,
        bundles_by_details=by_details,
        bundles_even=even,
        dropped_lines=tuple(dropped),
        clipped_lines=tuple(clipped),
    )
    if unrecognised:
        counts = ", ".join(f"{t!r} ({unknown[t]})" for t in unrecognised)
        warnings.warn(
            f"attack records: {len(unrecognised)} weapon name(s) not in the catalogue, "
            f"counted as 'unknown': {counts}",
            UnknownWeaponWarning,
            stacklevel=2,
        )
    logger.info("normalised attack records: %s", report.summary())
    return frame, report


# -- observed rates ----------------------------------------------------------------------

RATE_COLUMNS: tuple[str, ...] = (
    "threat_class",
    "month",
    "launched",
    "neutralised",
    "observed_rate",
)


def _class_order(values: pd.Series) -> pd.Series:
    order = {c: i for i, c in enumerate(THREAT_CLASSES)}
    return values.map(lambda c: order.get(c, len(order)))


def observed_rates(normalised: pd.DataFrame, *, by: str = "month") -> pd.DataFrame:
    """Observed neutralisation rate per class and month.

    Parameters
    ----------
    normalised
        Output of :func:`normalise_records`.
    by
        ``"month"`` (one row per class and month) or ``"class"`` (pooled over all rows
        given; filter the frame first for a window, or use :func:`pooled_rates`).

    Returns
    -------
    pandas.DataFrame
        Columns ``threat_class``, ``month`` (``"YYYY-MM"``; ``"all"`` when pooled),
        ``launched``, ``neutralised`` (weapons) and ``observed_rate`` (neutralised /
        launched, in [0, 1]); groups without launches are left out. Sorted by class (in
        :data:`~garant.air.classes.THREAT_CLASSES` order) and month.

    Raises
    ------
    ValueError
        If ``by`` is not ``"month"`` or ``"class"``.
    """
    if by not in ("month", "class"):
        raise ValueError(f"by must be 'month' or 'class', not {by!r}")
    keys = ["threat_class", "month"] if by == "month" else ["threat_class"]
    grouped = normalised.groupby(keys, as_index=False)[["launched", "neutralised"]].sum()
    if by == "class":
        grouped["month"] = "all"
    grouped = grouped[grouped["launched"] > 0].copy()
    grouped["observed_rate"] = grouped["neutralised"] / grouped["launched"]
    grouped = grouped.assign(_o=_class_order(grouped["threat_class"]))
    grouped = grouped.sort_values(["_o", "month"]).drop(columns="_o").reset_index(drop=True)
    for col in ("launched", "neutralised"):
        grouped[col] = grouped[col].astype("int64")
    return grouped[list(RATE_COLUMNS)]


def pooled_rates(
    normalised: pd.DataFrame,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> pd.DataFrame:
    """Observed rate per class pooled over the nights in ``[start, end)``.

    Parameters
    ----------
    normalised
        Output of :func:`normalise_records`.
    start, end
        Night dates (inclusive start, exclusive end); ``None`` for open ends.

    Returns
    -------
    pandas.DataFrame
        As :func:`observed_rates` with ``by="class"`` (``month`` is ``"all"``).
    """
    dates = pd.to_datetime(normalised["date"])
    keep = pd.Series(True, index=normalised.index)
    if start is not None:
        keep &= dates >= pd.Timestamp(start)
    if end is not None:
        keep &= dates < pd.Timestamp(end)
    return observed_rates(normalised[keep], by="class")


# -- the calibrated baseline model ------------------------------------------------------

#: Days per average month (for ages and trends in months).
_DAYS_PER_MONTH = 30.4375
#: Logit clip: keeps probabilities in [3e-7, 1 - 3e-7] and Newton steps finite.
_ETA_CLIP = 15.0
#: Pseudo-observation added to each class's intercept fit: half a success and half a
#: failure (a Jeffreys-like prior), so classes that never (or always) failed stay finite.
_PRIOR_TRIALS = 1.0


def _expit(eta: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(eta, -_ETA_CLIP, _ETA_CLIP)))
    return out


def _fit_logistic(
    x: np.ndarray,
    successes: np.ndarray,
    trials: np.ndarray,
    weights: np.ndarray,
    *,
    offset: np.ndarray | None = None,
    ridge: np.ndarray | None = None,
    max_iter: int = 100,
) -> np.ndarray:
    r"""Penalised weighted binomial logistic regression by Newton-Raphson (IRLS).

    Maximises :math:`\sum_i w_i [k_i \eta_i - m_i \log(1 + e^{\eta_i})]
    - \tfrac12 \beta^T \Lambda \beta` with :math:`\eta = X\beta + o`.
    """
    beta = np.zeros(x.shape[1])
    lam = np.diag(ridge if ridge is not None else np.zeros(x.shape[1]))
    off = offset if offset is not None else np.zeros(len(x))
    for _ in range(max_iter):
        p = _expit(x @ beta + off)
        grad = x.T @ (weights * (successes - trials * p)) - lam @ beta
        hess = x.T @ (x * (weights * trials * p * (1.0 - p))[:, None]) + lam
        step = np.linalg.solve(hess + 1e-9 * np.eye(len(beta)), grad)
        beta = beta + step
        if np.abs(step).max() < 1e-9:
            break
    return beta


def nights_by_class(normalised: pd.DataFrame) -> pd.DataFrame:
    """Aggregate normalised records to one row per night and class.

    Parameters
    ----------
    normalised
        Output of :func:`normalise_records`.

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (Timestamp, night), ``month``, ``threat_class``, ``launched``
        (the class's **raid size** that night, weapons) and ``neutralised``; nights with
        no launches are left out.
    """
    frame = normalised.assign(date=pd.to_datetime(normalised["date"]))
    nights = frame.groupby(["date", "month", "threat_class"], as_index=False)[
        ["launched", "neutralised"]
    ].sum()
    return nights[nights["launched"] > 0].reset_index(drop=True)


@dataclass(frozen=True)
class ClassParams:
    """Fitted parameters of one threat class (see :class:`BaselineModel`).

    Attributes
    ----------
    threat_class : str
    intercept : float
        Logit of the neutralisation probability at the reference raid size, at ``until``.
    size_slope : float
        Change of the logit per unit of log raid size (> 0: larger raids see higher rates).
    trend_per_month : float
        Change of the logit per month (0 unless fitted with ``trend=True``).
    log_size_ref : float
        Reference log raid size (launch- and recency-weighted mean), log(weapons).
    n_nights : int
        Nights with launches of the class in the fit window.
    launched, neutralised : int
        Totals in the fit window (weapons).
    status : str
        ``"fitted"`` (all terms) or ``"pooled"`` (fewer than ``min_launched`` weighted
        launches: a recency-weighted pooled rate, no size or trend term).
    """

    threat_class: str
    intercept: float
    size_slope: float
    trend_per_month: float
    log_size_ref: float
    n_nights: int
    launched: int
    neutralised: int
    status: str

    @property
    def reference_rate(self) -> float:
        """Neutralisation probability at the reference raid size at ``until``."""
        return float(_expit(np.array([self.intercept]))[0])


@dataclass(frozen=True)
class BaselineModel:
    r"""Ukraine's own air defence (and EW), calibrated to the observed rates.

    For a threat of class :math:`c` in a night with :math:`n` weapons of that class
    (the raid size), :math:`t` months after ``until``:

    .. math::

        \operatorname{logit} p_c(n, t) = a_c + b_c (\log n - \bar x_c) + d_c t

    fitted per class on the nights before ``until`` as a binomial model of neutralised
    out of launched, each night weighted by :math:`0.5^{\text{age}/h}` (recency
    weighting with half-life :math:`h` months). The size slope :math:`b_c` is estimated
    *within* months (month fixed effects, ridge penalty) so that it is not confounded
    with the change of rates and raid sizes over time; then :math:`a_c` (and :math:`d_c`)
    are fitted with :math:`b_c` fixed, plus half a success and half a failure as a prior.
    Since the fit solves :math:`\sum_i w_i (k_i - m_i p_i) = 0`, the model reproduces
    the recency-weighted observed neutralisations of each class exactly in expectation.

    Attributes
    ----------
    params : Mapping of str to ClassParams
        Per class, in :data:`~garant.air.classes.THREAT_CLASSES` order.
    fit_start, until : datetime.date
        First night used and the (exclusive) end of the fit window.
    half_life_months : float or None
        Recency half-life (None: all nights weigh the same).
    size_ridge : float
        Ridge penalty on the size slope.
    trend : bool
        Whether a linear logit trend was fitted.
    min_launched : float
        Weighted launches below which a class is ``pooled``.
    """

    params: Mapping[str, ClassParams]
    fit_start: dt.date
    until: dt.date
    half_life_months: float | None
    size_ridge: float
    trend: bool
    min_launched: float

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes the model knows."""
        return tuple(self.params)

    def _params(self, threat_class: str) -> ClassParams:
        try:
            return self.params[threat_class]
        except KeyError:
            raise NotFoundError(
                f"baseline model: no records of class {threat_class!r} before {self.until} "
                f"(known: {', '.join(self.params)})"
            ) from None

    def months_after_until(self, when: dt.date | str | pd.Timestamp) -> float:
        """Months from ``until`` to ``when`` (a date, or ``"YYYY-MM"`` = its middle)."""
        if isinstance(when, str) and len(when) == 7:
            stamp = pd.Timestamp(f"{when}-01") + pd.Timedelta(days=14)
        else:
            stamp = pd.Timestamp(when)
        return float((stamp - pd.Timestamp(self.until)).days / _DAYS_PER_MONTH)

    def rates(
        self, threat_class: str, months_after: np.ndarray, raid_sizes: np.ndarray
    ) -> np.ndarray:
        """Vectorised neutralisation probabilities.

        Parameters
        ----------
        threat_class
            One of :attr:`classes`.
        months_after
            Months after ``until`` (negative inside the fit window), broadcastable.
        raid_sizes
            Weapons of the class in the night (>= 1).

        Returns
        -------
        numpy.ndarray
            Probabilities in (0, 1).
        """
        par = self._params(threat_class)
        size = np.maximum(np.asarray(raid_sizes, dtype=float), 1.0)
        eta = (
            par.intercept
            + par.size_slope * (np.log(size) - par.log_size_ref)
            + par.trend_per_month * np.asarray(months_after, dtype=float)
        )
        return _expit(np.asarray(eta, dtype=float))

    def predict_rate(
        self, threat_class: str, month: dt.date | str | pd.Timestamp, raid_size: float
    ) -> float:
        """Predicted neutralisation probability in a given month and raid size.

        Parameters
        ----------
        threat_class
            A class the model knows.
        month
            ``"YYYY-MM"`` (its middle is used) or a date.
        raid_size
            Weapons of that class launched in the night.

        Returns
        -------
        float
            Probability in (0, 1).

        Raises
        ------
        NotFoundError
            If the class had no records in the fit window.
        """
        t = self.months_after_until(month)
        return float(self.rates(threat_class, np.array([t]), np.array([raid_size]))[0])

    def effective_pk(self, threat_class: str, raid_size: float) -> float:
        """Ukraine's baseline layer: P(a threat is neutralised) in a raid of that size.

        The probability that one threat of the class is neutralised by Ukraine's existing
        defences and EW in a night with ``raid_size`` weapons of the class, as of
        ``until`` (the model's "today"). The raid simulation uses it as the baseline
        layer.

        Parameters
        ----------
        threat_class
            A class the model knows.
        raid_size
            Weapons of that class in the night.

        Returns
        -------
        float
            Probability in (0, 1).
        """
        return float(self.rates(threat_class, np.array([0.0]), np.array([raid_size]))[0])

    def to_frame(self) -> pd.DataFrame:
        """Every parameter, one row per class.

        Returns
        -------
        pandas.DataFrame
            The :class:`ClassParams` fields plus ``reference_rate`` and the fit settings.
        """
        rows = [
            {
                **{f: getattr(p, f) for f in ClassParams.__dataclass_fields__},
                "reference_rate": p.reference_rate,
                "fit_start": self.fit_start,
                "until": self.until,
                "half_life_months": self.half_life_months,
                "size_ridge": self.size_ridge,
            }
            for p in self.params.values()
        ]
        return pd.DataFrame(rows)


def _within_month_size_slope(g: pd.DataFrame, weights: np.ndarray, ridge: float) -> float:
    """Size slope of one class with month fixed effects (see :class:`BaselineModel`)."""
    months = pd.get_dummies(g["month"]).to_numpy(dtype=float)
    log_n = np.log(g["launched"].to_numpy(dtype=float))
    if months.shape[1] < 1 or np.ptp(log_n) == 0:
        return 0.0
    x = np.column_stack([months, log_n - log_n.mean()])
    pen = np.r_[np.full(months.shape[1], 1e-3), ridge]
    beta = _fit_logistic(
        x,
        g["neutralised"].to_numpy(dtype=float),
        g["launched"].to_numpy(dtype=float),
        weights,
        ridge=pen,
    )
    return float(beta[-1])


def fit_baseline(
    normalised: pd.DataFrame,
    *,
    until: dt.date | str,
    half_life_months: float | None = 36.0,
    size_ridge: float = 1000.0,
    trend: bool = False,
    min_launched: float = 30.0,
) -> BaselineModel:
    """Fit Ukraine's baseline defence on the nights before ``until``.

    Parameters
    ----------
    normalised
        Output of :func:`normalise_records` (may include nights after ``until``; they
        are ignored).
    until
        End of the fit window (exclusive, a night date).
    half_life_months
        Recency weighting: a night ``h`` months before ``until`` weighs ``0.5**(age/h)``.
        None weighs all nights the same. The default (36) and the other defaults were
        chosen on backtests at seven splits 2024-01 … 2025-05 (see the module notes).
    size_ridge
        Ridge penalty on the size slope (larger = closer to no size effect).
    trend
        Fit a linear logit trend in time (off by default: it lost out of sample).
    min_launched
        Classes with fewer recency-weighted launches get a pooled rate only.

    Returns
    -------
    BaselineModel

    Raises
    ------
    DataError
        If there are no launches before ``until``.
    """
    until_ts = pd.Timestamp(until)
    nights = nights_by_class(normalised)
    nights = nights[nights["date"] < until_ts]
    if nights.empty:
        raise DataError(f"attack records: no launches before {until_ts.date()} to fit on")
    params: dict[str, ClassParams] = {}
    for cls in [c for c in THREAT_CLASSES if c in set(nights["threat_class"])]:
        g = nights[nights["threat_class"] == cls]
        age = (until_ts - g["date"]).dt.days.to_numpy(dtype=float) / _DAYS_PER_MONTH
        w = np.ones(len(g)) if half_life_months is None else 0.5 ** (age / half_life_months)
        m = g["launched"].to_numpy(dtype=float)
        k = g["neutralised"].to_numpy(dtype=float)
        log_n = np.log(m)
        x_ref = float(np.average(log_n, weights=w * m))
        pooled = float((w * m).sum()) < min_launched
        slope = 0.0 if pooled else _within_month_size_slope(g, w, size_ridge)
        use_trend = trend and not pooled and g["month"].nunique() > 2
        cols = [np.ones(len(g))] + ([-age] if use_trend else [])
        x = np.column_stack(cols)
        prior_row = np.zeros((1, x.shape[1]))
        prior_row[0, 0] = 1.0
        beta = _fit_logistic(
            np.vstack([x, prior_row]),
            np.r_[k, 0.5 * _PRIOR_TRIALS],
            np.r_[m, _PRIOR_TRIALS],
            np.r_[w, 1.0],
            offset=np.r_[slope * (log_n - x_ref), 0.0],
            ridge=np.r_[0.0, np.full(x.shape[1] - 1, 1.0)],
        )
        params[cls] = ClassParams(
            threat_class=cls,
            intercept=float(beta[0]),
            size_slope=slope,
            trend_per_month=float(beta[1]) if use_trend else 0.0,
            log_size_ref=x_ref,
            n_nights=len(g),
            launched=int(m.sum()),
            neutralised=int(k.sum()),
            status="pooled" if pooled else "fitted",
        )
    return BaselineModel(
        params=params,
        fit_start=nights["date"].min().date(),
        until=until_ts.date(),
        half_life_months=half_life_months,
        size_ridge=size_ridge,
        trend=trend,
        min_launched=min_launched,
    )


# -- backtest ----------------------------------------------------------------------------

#: Columns of :func:`backtest` (the CLI prints them in this order).
BACKTEST_COLUMNS: tuple[str, ...] = (
    "class",
    "month",
    "launched",
    "observed_rate",
    "predicted_rate",
    "naive_rate",
)

#: Months before the split pooled into the naive forecast.
NAIVE_MONTHS = 3


def _as_normalised(records: str | Path | pd.DataFrame, catalog: ClassLookup | None) -> pd.DataFrame:
    if isinstance(records, pd.DataFrame):
        if "threat_class" in records.columns:
            return records
        normalised, _ = normalise_records(records, catalog)
        return normalised
    from garant.sources.attacks import read_attack_records

    normalised, _ = normalise_records(read_attack_records(records), catalog)
    return normalised


def predict_monthly(model: BaselineModel, nights: pd.DataFrame) -> pd.DataFrame:
    """Predicted monthly rates at the observed raid sizes of each night.

    Parameters
    ----------
    model
        A fitted :class:`BaselineModel`.
    nights
        Output of :func:`nights_by_class` (any period).

    Returns
    -------
    pandas.DataFrame
        Columns ``threat_class``, ``month``, ``launched``, ``observed_rate`` and
        ``predicted_rate`` (the launch-weighted mean of the nightly probabilities; NaN
        for a class the model does not know).
    """
    rows = []
    for (cls, month), g in nights.groupby(["threat_class", "month"], sort=False):
        launched = g["launched"].to_numpy(dtype=float)
        if cls in model.params:
            t = (g["date"] - pd.Timestamp(model.until)).dt.days.to_numpy() / _DAYS_PER_MONTH
            p = model.rates(str(cls), t, launched)
            predicted = float(np.average(p, weights=launched))
        else:
            predicted = float("nan")
        rows.append(
            (
                cls,
                month,
                int(launched.sum()),
                float(g["neutralised"].sum() / launched.sum()),
                predicted,
            )
        )
    return pd.DataFrame(
        rows, columns=["threat_class", "month", "launched", "observed_rate", "predicted_rate"]
    )


def backtest(
    records: str | Path | pd.DataFrame,
    *,
    split: dt.date | str,
    horizon_months: int | None = None,
    catalog: ClassLookup | None = None,
    half_life_months: float | None = 36.0,
    size_ridge: float = 1000.0,
    trend: bool = False,
) -> pd.DataFrame:
    """Fit on the records before ``split`` and forecast each class and month after it.

    Parameters
    ----------
    records
        A record file path, the frame of :func:`~garant.sources.attacks.read_attack_records`,
        or the output of :func:`normalise_records`.
    split
        First night (date) of the test period; only nights before it are used to fit and
        for the naive forecast.
    horizon_months
        Forecast this many calendar months from the split's month on (None: all).
    catalog
        Weapon classification (default: the bundled catalogue).
    half_life_months, size_ridge, trend
        Passed to :func:`fit_baseline`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BACKTEST_COLUMNS`: ``class``, ``month`` (``"YYYY-MM"``),
        ``launched`` (int, weapons), ``observed_rate``, ``predicted_rate`` (the model at
        the month's nightly raid sizes) and ``naive_rate`` (the class's pooled rate over
        the :data:`NAIVE_MONTHS` months before the split; NaN when it had no launches
        then). One row per class and month with launches, sorted by class and month.

    Raises
    ------
    DataError
        If there are no records before the split.
    """
    split_ts = pd.Timestamp(split)
    normalised = _as_normalised(records, catalog)
    nights = nights_by_class(normalised)
    before = nights[nights["date"] < split_ts]
    if before.empty:
        raise DataError(f"attack records: no launches before the split {split_ts.date()}")
    model = fit_baseline(
        before,
        until=split_ts.date(),
        half_life_months=half_life_months,
        size_ridge=size_ridge,
        trend=trend,
    )
    after = nights[nights["date"] >= split_ts]
    if horizon_months is not None:
        end = split_ts.to_period("M").to_timestamp() + pd.DateOffset(months=horizon_months)
        after = after[after["date"] < end]
    out = predict_monthly(model, after)
    window = before[before["date"] >= split_ts - pd.DateOffset(months=NAIVE_MONTHS)]
    naive = window.groupby("threat_class")[["launched", "neutralised"]].sum()
    naive_rate = (naive["neutralised"] / naive["launched"]).to_dict()
    out["naive_rate"] = out["threat_class"].map(naive_rate).astype(float)
    out = out.assign(_o=_class_order(out["threat_class"]))
    out = out.sort_values(["_o", "month"]).drop(columns="_o").reset_index(drop=True)
    out = out.rename(columns={"threat_class": "class"})
    out["launched"] = out["launched"].astype("int64")
    for col in ("observed_rate", "predicted_rate", "naive_rate"):
        out[col] = out[col].astype("float64")
    return out[list(BACKTEST_COLUMNS)]


def backtest_score(result: pd.DataFrame) -> pd.DataFrame:
    """Score a backtest: launch-weighted errors of the model and of the naive forecast.

    Parameters
    ----------
    result
        Output of :func:`backtest` (rows where either forecast is NaN are left out of both
        scores, so they compare the same rows).

    Returns
    -------
    pandas.DataFrame
        One row per class and a last row ``class = "all"``: ``months`` (rows scored),
        ``launched``, ``mae_model``, ``mae_naive``, ``rmse_model``, ``rmse_naive``
        (launch-weighted, in rate units) and ``improvement_pct``
        (``100 * (1 - mae_model / mae_naive)``; > 0 when the model beats naive; NaN when
        the naive error is 0).
    """
    ok = result.dropna(subset=["observed_rate", "predicted_rate", "naive_rate"])
    ok = ok[ok["launched"] > 0]

    def score(g: pd.DataFrame, name: str) -> dict[str, object]:
        w = g["launched"].to_numpy(dtype=float)
        em = (g["predicted_rate"] - g["observed_rate"]).to_numpy(dtype=float)
        en = (g["naive_rate"] - g["observed_rate"]).to_numpy(dtype=float)
        mae_m = float(np.average(np.abs(em), weights=w)) if len(g) else float("nan")
        mae_n = float(np.average(np.abs(en), weights=w)) if len(g) else float("nan")
        return {
            "class": name,
            "months": len(g),
            "launched": int(w.sum()),
            "mae_model": mae_m,
            "mae_naive": mae_n,
            "rmse_model": float(np.sqrt(np.average(em**2, weights=w))) if len(g) else np.nan,
            "rmse_naive": float(np.sqrt(np.average(en**2, weights=w))) if len(g) else np.nan,
            "improvement_pct": 100.0 * (1.0 - mae_m / mae_n) if mae_n > 0 else float("nan"),
        }

    rows = [score(g, str(cls)) for cls, g in ok.groupby("class", sort=False)]
    rows.append(score(ok, "all"))
    return pd.DataFrame(rows)

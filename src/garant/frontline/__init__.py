"""The front line: measures, line of contact, changes, sectors, series and the engine.

Pure functions take geometries and frames (EPSG:4326) and return results; only
:func:`update_frontline` talks to the store. Areas are in EPSG:6933, shares of
the official area of Ukraine (603,628 km²), lengths geodesic (WGS84).
"""

from __future__ import annotations

from garant.frontline.changes import changes_between, describe, describe_changes, split_changes
from garant.frontline.engine import UpdateResult, update_frontline
from garant.frontline.line import line_length_km, line_of_contact
from garant.frontline.measures import (
    UKRAINE_OFFICIAL_AREA_KM2,
    FrontlineGeography,
    measure_snapshot,
    oblast_areas,
)
from garant.frontline.sectors import Sectors, line_by_sector, load_sectors
from garant.frontline.series import daily_series, monthly_summary
from garant.frontline.validation import (
    PUBLISHED_MONTHLY,
    PUBLISHED_SHARE,
    compare_date_conventions,
    validate_against_deepstate,
)

__all__ = [
    "PUBLISHED_MONTHLY",
    "PUBLISHED_SHARE",
    "UKRAINE_OFFICIAL_AREA_KM2",
    "FrontlineGeography",
    "Sectors",
    "UpdateResult",
    "changes_between",
    "compare_date_conventions",
    "daily_series",
    "describe",
    "describe_changes",
    "line_by_sector",
    "line_length_km",
    "line_of_contact",
    "load_sectors",
    "measure_snapshot",
    "monthly_summary",
    "oblast_areas",
    "split_changes",
    "update_frontline",
    "validate_against_deepstate",
]

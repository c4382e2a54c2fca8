"""Outputs: files other tools read (exports), charts, and the HTML frontline report.

Outputs only render: they take DataFrames and GeoDataFrames computed elsewhere
and write files, atomically. The public functions are imported lazily so that
``import garant.report`` does not load matplotlib or Jinja2.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from garant.report.assess import write_assessment_report as write_assessment_report
    from garant.report.charts import frontline_map as frontline_map
    from garant.report.charts import monthly_changes_chart as monthly_changes_chart
    from garant.report.charts import occupied_area_chart as occupied_area_chart
    from garant.report.export import export_layer as export_layer
    from garant.report.export import export_table as export_table
    from garant.report.frontline import write_frontline_report as write_frontline_report

__all__ = [
    "export_layer",
    "export_table",
    "frontline_map",
    "monthly_changes_chart",
    "occupied_area_chart",
    "write_assessment_report",
    "write_frontline_report",
]

_WHERE = {
    "export_layer": "garant.report.export",
    "export_table": "garant.report.export",
    "frontline_map": "garant.report.charts",
    "monthly_changes_chart": "garant.report.charts",
    "occupied_area_chart": "garant.report.charts",
    "write_assessment_report": "garant.report.assess",
    "write_frontline_report": "garant.report.frontline",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'garant.report' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

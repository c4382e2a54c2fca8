"""Outputs: files other tools read (exports), charts, and the HTML frontline report.

Outputs only render: they take DataFrames and GeoDataFrames computed elsewhere
and write files, atomically.
"""

from __future__ import annotations

from garant.report.export import export_layer as export_layer
from garant.report.export import export_table as export_table

__all__ = ["export_layer", "export_table"]

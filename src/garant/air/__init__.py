"""Air shield: catalogues, coverage, raid simulation, calibration and placement."""

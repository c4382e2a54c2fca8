"""The ``garant`` command line: a thin adapter over the Python API."""

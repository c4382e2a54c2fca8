"""Guarantee packages: package files, their assessment and the side-by-side comparison."""

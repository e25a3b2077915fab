"""Enforcement supervision: case database, metric engine and the dashboard's shared code."""

__version__ = "0.1.0"

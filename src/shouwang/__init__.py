"""Shouwang (守望): a city's public-safety co-governance platform."""

__version__ = "0.1.0"

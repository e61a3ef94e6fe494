"""crtkg's graph package: load the sources, validate, reason, build the artifact, query, export.

A function does each job; `graph.cli` is a thin shell over them.
"""

__version__ = "0.1.0"  # the package version: pyproject.toml reads it from here

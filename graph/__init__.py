"""crtkg's graph package: load the sources, validate, reason, build the artifact, query, export.

A function does each job; the `crtkg` command (package `cli`) is a thin shell over them.
This package never imports `server`, which is built on it.
"""

__version__ = "0.1.0"  # the package version: pyproject.toml reads it from here

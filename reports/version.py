"""The software version printed on every report, so a PDF names the code that produced it."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "trial-manager"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@cache
def software_version() -> str:
    """Return the project's version: installed metadata if present, else pyproject.toml."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        # Run from a checkout (the usual case): the source of truth is pyproject.toml.
        with PYPROJECT.open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])

"""``python -m cams_graph``: the ``cams`` command."""

from __future__ import annotations

from .cli import main

main()

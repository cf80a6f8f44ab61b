"""The colours of the graph: ``data/palette.yaml`` (a colour per entity type and per polarity)."""

from __future__ import annotations

import functools
import re

from .common import GraphError


def hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", c):
        raise GraphError(f"not a colour: {color!r} (use #rrggbb)")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@functools.lru_cache(maxsize=4)
def _load_palette(path: str, mtime: float) -> dict:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        types = {str(k): hex_rgb(str(v)) for k, v in (raw.get("types") or {}).items()}
        edges = {str(k): hex_rgb(str(v)) for k, v in (raw.get("edges") or {}).items()}
        default = hex_rgb(str(raw.get("default", "#bab0ac")))
    except (OSError, yaml.YAMLError, AttributeError) as e:
        raise GraphError(f"cannot read the palette {path}: {e}") from None
    return {"types": types, "edges": edges, "default": default}


def palette() -> dict:
    """``{"types": {type: (r, g, b)}, "edges": {polarity: (r, g, b)}, "default": (r, g, b)}``
    from ``data/palette.yaml`` (``$KG_DATA`` moves it)."""
    from ..paths import data_dir

    path = data_dir() / "palette.yaml"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise GraphError(f"no palette at {path}") from None
    return _load_palette(str(path), mtime)

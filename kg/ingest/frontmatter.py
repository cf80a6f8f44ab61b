"""YAML front matter (``---`` ... ``---``) of a text or markdown article, read safely: size
capped, no Python objects, no alias expansion, one odd value never losing the article."""

from __future__ import annotations

from functools import cache
from typing import Any

from .records import Reject, describe

#: Larger YAML front matter is refused: it holds a few metadata fields, and PyYAML reads
#: about 1 MB/s (a front matter of megabytes would stall the build).
MAX_FRONT_MATTER_CHARS = 65_536


@cache
def _front_matter_loader() -> type:
    """PyYAML's safe loader (no Python objects, no tags beyond YAML's own), except that a
    scalar YAML reads as a timestamp, number or boolean but cannot convert (``2024-13-45``,
    an integer of 5,000 digits, ``!!bool maybe``) is kept as the text written instead of
    raising: one odd value never loses the article (a bad ``date`` is then left out with a
    note, :func:`kg.ingest.fields.meta_value`)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def lenient(tag: str) -> None:
        strict = Loader.yaml_constructors[tag]

        def construct(loader, node):
            try:
                return strict(loader, node)
            except yaml.YAMLError:
                raise
            except Exception:  # ValueError, KeyError, AttributeError from the converters
                return loader.construct_scalar(node)

        Loader.add_constructor(tag, construct)

    for kind in ("timestamp", "int", "float", "bool"):
        lenient(f"tag:yaml.org,2002:{kind}")
    return Loader


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split optional YAML front matter (``---`` ... ``---``) from the body.

    Raises ``Reject`` for unterminated, over-long (:data:`MAX_FRONT_MATTER_CHARS`) or invalid
    YAML (syntax, nesting deeper than Python's recursion limit, a number YAML cannot hold,
    an unknown tag such as ``!!python/object``), or YAML that is not a mapping. Aliases are
    not expanded into copies ("billion laughs" stays small), and only the metadata fields are
    read from the result.
    """
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    size = 0
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            break
        size += len(lines[end])
        if size > MAX_FRONT_MATTER_CHARS:
            raise Reject(f"YAML front matter too long (over {MAX_FRONT_MATTER_CHARS:,} characters)")
    else:
        raise Reject("unterminated YAML front matter")
    return load_yaml_mapping("".join(lines[1:end])), "".join(lines[end + 1:])


def load_yaml_mapping(text: str, what: str = "YAML front matter") -> dict[str, Any]:
    """YAML text (a front matter's lines between the markers, a folder's ``_meta.yaml``) as a
    mapping, or ``Reject`` naming ``what``."""
    import yaml

    line = "front matter line" if what == "YAML front matter" else "line"
    try:
        meta = yaml.load(text, Loader=_front_matter_loader())  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" ({line} {mark.line + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise Reject(f"invalid {what}{where}: {problem}") from None
    except RecursionError:
        raise Reject(f"invalid {what}: nested too deeply") from None
    except Exception as err:  # nothing known; this file only
        raise Reject(f"invalid {what} ({describe(err)})") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise Reject(f"{what} is not a mapping")
    return meta

"""What the GraphML and GEXF writers share: attribute values as text, the XML file itself."""

from __future__ import annotations

from xml.etree import ElementTree as ET

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"  # networkx 3.x writes http://w3.org/… in GEXF 1.3 (wrong)


def fmt(v) -> str:
    """An attribute value as text: ``true``/``false``, floats by ``repr`` (round-trips), else ``str``."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def attribute_types(items, skip=()) -> dict[str, type]:
    """``{name: type of its first value}`` over the attribute dicts ``items``, in first-seen order
    (names in ``skip`` and None values left out)."""
    kinds: dict[str, type] = {}
    for d in items:
        for k, v in d.items():
            if k not in skip and v is not None and k not in kinds:
                kinds[k] = type(v)
    return kinds


def write_tree(root, fh) -> None:
    """``root`` (an ElementTree element) indented, with an XML declaration and a final newline."""
    ET.indent(root, space="  ")
    fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=False)
    fh.write(b"\n")

"""Write data/ontology.ttl: the hand-written class section (data/ontology.head.ttl) plus one
owl:ObjectProperty per predicate of data/relations.yaml and data/roles.yaml (a role's ``super``
becomes rdfs:subPropertyOf: ``kg:ceoOf rdfs:subPropertyOf kg:headOf``).

Run after editing the vocabulary:  .venv/bin/python scripts/build_ontology.py [--output PATH]
(``--output``: write there instead; tests/test_vocabulary.py compares that with the tracked file)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render() -> str:
    """The text of data/ontology.ttl, from the head and the vocabulary."""
    out = [(DATA / "ontology.head.ttl").read_text(encoding="utf-8").rstrip() + "\n"]
    rel = yaml.safe_load((DATA / "relations.yaml").read_text(encoding="utf-8"))["predicates"]
    roles = yaml.safe_load((DATA / "roles.yaml").read_text(encoding="utf-8"))["predicates"]
    for p, kind in [(p, "kg:RelationPredicate") for p in rel] + [(p, "kg:RolePredicate") for p in roles]:
        types = ["owl:ObjectProperty", kind]
        if p.get("symmetric"):
            types.append("owl:SymmetricProperty")
        lines = [f"kg:{p['id']} a {', '.join(types)} ;", f"    rdfs:label {_q(p['label'])}@en ;"]
        if p.get("inverse"):
            lines.append(f"    owl:inverseOf kg:{p['inverse']} ;")
        if p.get("super"):
            lines.append(f"    rdfs:subPropertyOf kg:{p['super']} ;")
        lines.append(f"    rdfs:comment {_q(p['comment'])}@en .")
        out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=DATA / "ontology.ttl", help="default: data/ontology.ttl")
    args = ap.parse_args(argv)
    text = render()
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}: {text.count(' a owl:ObjectProperty')} predicates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

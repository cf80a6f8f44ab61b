"""Write data/ontology.ttl: the hand-written class section (data/ontology.head.ttl) plus one
owl:ObjectProperty per predicate of data/relations.yaml and data/roles.yaml.

Run after editing the vocabulary:  .venv/bin/python scripts/build_ontology.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main() -> int:
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
        lines.append(f"    rdfs:comment {_q(p['comment'])}@en .")
        out.append("\n".join(lines) + "\n")
    (DATA / "ontology.ttl").write_text("\n".join(out), encoding="utf-8")
    print(f"wrote {DATA / 'ontology.ttl'}: {len(rel)} relation and {len(roles)} role predicates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

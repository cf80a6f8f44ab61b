"""Merge the per-annotator gold files (bench/gold/parts/*.gold.json) into bench/gold/wikinews.gold.json.

Entities with one id are one entity (names and docs united; the types must agree); relation,
forbidden and quote ids get the part's letter in front. Run after editing a part:
    python bench/gold/merge.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parts = sorted((HERE / "parts").glob("*.gold.json"))
    merged = {"about": None, "docs": [], "entities": [], "relations": [], "forbidden": [], "quotes": []}
    ents: dict[str, dict] = {}
    problems = []
    for p in parts:
        g = json.loads(p.read_text(encoding="utf-8"))
        tag = p.name.split(".")[0].split("-")[-1]
        merged["about"] = merged["about"] or g["about"]
        merged["docs"] += [d for d in g["docs"] if d not in merged["docs"]]
        for e in g["entities"]:
            have = ents.get(e["id"])
            if have is None:
                ents[e["id"]] = {**e, "names": list(e["names"]), "docs": list(e["docs"])}
                continue
            if have["type"] != e["type"]:
                problems.append(f"{e['id']}: type {have['type']} in one part, {e['type']} in {p.name}")
            have["names"] += [n for n in e["names"] if n not in have["names"]]
            have["docs"] += [d for d in e["docs"] if d not in have["docs"]]
            if e.get("contains"):
                have["contains"] = sorted(set(have.get("contains", [])) | set(e["contains"]))
        for key in ("relations", "forbidden"):
            for r in g.get(key, []):
                merged[key].append({**r, "id": f"{tag}.{r['id']}"})
        merged["quotes"] += g.get("quotes", [])
    merged["entities"] = sorted(ents.values(), key=lambda e: e["id"])
    known = set(ents)
    for key in ("relations", "forbidden"):
        for r in merged[key]:
            for eid in [*r["s"], *r["o"]]:
                if eid not in known:
                    problems.append(f"{r['id']}: unknown entity {eid}")
    for q in merged["quotes"]:
        if q["speaker"] not in known:
            problems.append(f"quote: unknown speaker {q['speaker']}")
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out = HERE / "wikinews.gold.json"
    out.write_text(json.dumps(merged, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    core = sum(r["level"] == "core" for r in merged["relations"])
    print(f"{out.name}: {len(merged['docs'])} docs, {len(merged['entities'])} entities, "
          f"{len(merged['relations'])} relations ({core} core), {len(merged['forbidden'])} forbidden, "
          f"{len(merged['quotes'])} quote entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

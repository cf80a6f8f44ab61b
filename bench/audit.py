"""Precision audit: build random Wikinews articles kg was not tuned on, sample the facts it
states with their evidence, and judge them as a news editor would.

The unit judged is one fact as one article states it: (article, subject, predicate, object,
polarity, modality, speaker) with the article's evidence sentences. A verdict is ``right``
(the sentence says exactly that: right arguments, right predicate, right polarity and
modality), ``half`` (the core is right but something a reader would notice is off: a dropped
qualifier, planned stated as done, a label cut short) or ``wrong``; a wrong or half verdict
names its failure class (``CLASSES``). Quotations are judged on their span and speaker.

    python bench/audit.py sample [--articles 80] [--units 150] [--seed 1] [--kind relations|quotes|open] [--pool test]
    python bench/audit.py add out/audit/to_judge.jsonl      # judged lines -> bench/audit/judgements.jsonl
    python bench/audit.py report [--sample out/audit/sample-relations.jsonl] [--judgements FILE]
    python bench/audit.py regress      # after adding verdicts or fixing rules: bench/audit/regression.json

Open relations (``kg:OpenStatement``: a verb phrase between two named entities outside the
vocabulary) are units of their own kind, ``open``, judged like relations with the verb phrase as
``predicate`` (``--kind open``; their verdicts are reported apart from the vocabulary's). The
verdicts of the open statements of tune-pool samples are kept in ``bench/audit/open-judgements.jsonl``
(``report --judgements bench/audit/open-judgements.jsonl``).

``sample`` builds the articles (``kg build``) into ``out/audit/store``, reads every unit with
``bench/audit/units.rq`` / ``quotes.rq`` / ``open.rq``, draws ``--units`` of them at random (seeded), and writes
those without a verdict to ``out/audit/to_judge.jsonl`` (fill ``verdict``, ``class``, ``note``)
and the whole draw to ``out/audit/sample-<kind>.jsonl``. Verdicts live in
``bench/audit/judgements.jsonl``, keyed by the unit's text (article, labels, predicate, ...):
a unit that kg states differently later is a new unit to judge. ``report`` prints precision
with its Wilson 95 % interval (half verdicts counted as wrong, and as right for the lenient
figure), the failure classes, and the figures per predicate. The articles of our own gold
(``bench/gold/docs.txt`` and ``bench/gold/*.gold.json``) are never drawn. ``tests/test_audit.py`` keeps the verdicts as
regression tests: a wrong unit must stay absent, a right one present.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "news" / "wikinews"
AUDIT = ROOT / "bench" / "audit"
JUDGEMENTS = AUDIT / "judgements.jsonl"
OUT = ROOT / "out" / "audit"
KG = [sys.executable, "-m", "kg.cli"]

VERDICTS = ("right", "half", "wrong")
CLASSES = {
    "verb-sense": "a vocabulary verb or noun used in another sense (idiom, other meaning)",
    "role": "a role or title read wrongly (qualifier dropped, wrong organisation, job word not a role)",
    "modality": "planned, hoped, asked, possible, conditional or reported stated as fact, or the reverse",
    "negation": "a negation dropped or invented",
    "argument": "wrong subject or object (wrong antecedent, recipient as the thing, vague or broken span)",
    "direction": "subject and object swapped",
    "entity": "an argument that is the wrong entity (wrong type, merged with another, ISO code, alias)",
    "speaker": "a quotation or attributed fact given to the wrong speaker",
    "span": "a quotation whose text is cut wrongly (narration inside, quote words outside)",
    "other": "anything else (say what in the note)",
}


def gold_docs() -> set[str]:
    listed = ROOT / "bench" / "gold" / "docs.txt"
    docs = set(listed.read_text(encoding="utf-8").split()) if listed.exists() else set()
    for g in sorted((ROOT / "bench" / "gold").glob("*.gold.json")):
        docs |= set(json.loads(g.read_text(encoding="utf-8")).get("docs", []))
    return docs


def pool_of(doc: str) -> str:
    """``tune`` or ``test``: the articles outside the gold are split in two halves by a hash of their
    id. Rules are tuned on the gold and the ``tune`` half; the precision figure is measured on
    articles of the ``test`` half, which nobody reads while changing the rules."""
    return "test" if hashlib.sha1(doc.encode("utf-8")).digest()[0] % 2 else "tune"


#: the query that lists the units of each kind (bench/audit/), and the first field of their keys
UNIT_QUERIES = {"relations": "units.rq", "quotes": "quotes.rq", "open": "open.rq"}
KEY_PREFIX = {"relations": "R", "quotes": "Q", "open": "O"}


def unit_key(u: dict) -> str:
    if u["kind"] == "quotes":
        return "|".join(("Q", u["doc"], u["speaker"], " ".join(u["quote"].split())))
    return "|".join((KEY_PREFIX[u["kind"]], u["doc"], u["subject"], u["predicate"], u["object"], u["polarity"],
                     u["modality"], u.get("speaker") or ""))


def run_units(store: Path, kind: str) -> list[dict]:
    """Every unit of ``kind`` in the store, as dicts with a ``key`` (one per article and fact)."""
    query = AUDIT / UNIT_QUERIES[kind]
    r = subprocess.run([*KG, "query", str(query), "--store", str(store), "--format", "json", "--timeout", "300"],
                       capture_output=True, text=True, check=True)
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(r.stdout)["results"]["bindings"]]
    units: dict[str, dict] = {}
    for row in rows:
        if kind == "quotes":
            u = {"kind": "quotes", "doc": row["doc"], "speaker": row["speaker"], "quote": row["quote"],
                 "partial": row.get("partial") == "true"}
        else:
            u = {"kind": kind, "doc": row["doc"], "subject": row["subject"], "predicate": row["predicate"],
                 "object": row["object"], "polarity": row["polarity"], "modality": row["modality"],
                 "speaker": row.get("speaker") or "", "subject_type": row.get("stype", ""),
                 "object_type": row.get("otype", ""), "rule": row.get("rule", ""),
                 "confidence": row.get("confidence", "")}
            if kind == "open":
                u["trigger"] = row.get("trigger", "")  # the words as written ("held talks with")
        key = unit_key(u)
        u = units.setdefault(key, dict(u, key=key, evidence=[]))
        sent = " ".join((row.get("sentence") or "").split())
        if sent and sent not in u["evidence"]:
            u["evidence"].append(sent)
    return sorted(units.values(), key=lambda u: u["key"])


def load_judgements(path: Path = JUDGEMENTS) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if path.exists():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                j = json.loads(line)
                out[j["key"]] = j
    return out


def build(docs: list[str], store: Path, workers: int) -> None:
    folder = store.parent / "articles"
    if folder.exists():
        for f in folder.iterdir():
            f.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    for d in docs:
        (folder / f"{d}.txt").symlink_to(CORPUS / f"{d}.txt")
    if store.exists():
        import shutil

        shutil.rmtree(store)
    subprocess.run([*KG, "build", str(folder), "--store", str(store), "--workers", str(workers), "--no-progress",
                    "--follow-symlinks"],
                   check=True)


def cmd_sample(a) -> int:
    excluded = gold_docs()
    pool = sorted(p.stem for p in CORPUS.glob("*.txt") if p.stem not in excluded
                  and (a.pool == "all" or pool_of(p.stem) == a.pool))
    rng = random.Random(a.seed)
    docs = sorted(rng.sample(pool, min(a.articles, len(pool))))
    OUT.mkdir(parents=True, exist_ok=True)
    store = OUT / "store"
    if not a.reuse:
        print(f"audit: building {len(docs)} articles (seed {a.seed}, {len(excluded)} gold articles excluded)",
              file=sys.stderr)
        build(docs, store, a.workers)
    units = run_units(store, a.kind)
    drawn = sorted(rng.sample(units, min(a.units, len(units))), key=lambda u: u["key"]) if a.units else units
    judged = load_judgements()
    todo = [dict(u, verdict="", **{"class": ""}, note="") for u in drawn if u["key"] not in judged]
    with open(OUT / f"sample-{a.kind}.jsonl", "w", encoding="utf-8") as f:
        for u in drawn:
            f.write(json.dumps(u, ensure_ascii=False) + "\n")
    with open(OUT / "to_judge.jsonl", "w", encoding="utf-8") as f:
        for u in todo:
            f.write(json.dumps(u, ensure_ascii=False) + "\n")
    per_article = len(units) / max(1, len(docs))
    print(f"audit: pool {a.pool} ({len(pool)} articles); {len(units)} {a.kind} units in {len(docs)} articles ({per_article:.2f} an article); drew "
          f"{len(drawn)}, {len(drawn) - len(todo)} already judged, {len(todo)} to judge in {OUT / 'to_judge.jsonl'}")
    return 0


def cmd_add(a) -> int:
    judged = load_judgements()
    added = 0
    for line in Path(a.file).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        j = json.loads(line)
        if j.get("verdict") not in VERDICTS:
            continue
        if j["verdict"] != "right" and j.get("class") not in CLASSES:
            print(f"audit: {j['key']}: a {j['verdict']} verdict needs a class ({', '.join(CLASSES)})",
                  file=sys.stderr)
            return 2
        keep = {k: j[k] for k in ("key", "kind", "doc", "verdict", "class", "note") if k in j}
        for k in ("subject", "predicate", "object", "polarity", "modality", "speaker", "quote", "partial", "evidence"):
            if k in j:
                keep[k] = j[k]
        judged[j["key"]] = keep
        added += 1
    AUDIT.mkdir(parents=True, exist_ok=True)
    with open(JUDGEMENTS, "w", encoding="utf-8") as f:
        for key in sorted(judged):
            f.write(json.dumps(judged[key], ensure_ascii=False) + "\n")
    print(f"audit: {added} verdicts added; {len(judged)} in {JUDGEMENTS.relative_to(ROOT)}")
    return 0


REGRESSION = AUDIT / "regression.json"


def judged_units(kinds=("relations", "quotes")) -> list[dict]:
    """The verdicts of units of ``kinds`` whose article is in the corpus."""
    return [j for j in load_judgements().values()
            if j.get("kind") in kinds and (CORPUS / f"{j['doc']}.txt").exists()]


def present_keys(store: Path, kinds=("relations", "quotes")) -> set[str]:
    return {u["key"] for kind in kinds for u in run_units(store, kind)}


def cmd_regress(a) -> int:
    """Record which judged units the current code states: the right ones it must keep stating,
    the wrong ones it still states (known, xfail in tests/test_audit.py until fixed)."""
    units = judged_units()
    store = OUT / "regress" / "store"
    build(sorted({u["doc"] for u in units}), store, a.workers)
    present = present_keys(store)
    right = sorted(u["key"] for u in units if u["verdict"] == "right" and u["key"] in present)
    wrong = {u["key"]: u.get("note", "") for u in units if u["verdict"] == "wrong" and u["key"] in present}
    REGRESSION.write_text(json.dumps({"right_present": right, "wrong_present": dict(sorted(wrong.items()))},
                                     ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n_right = sum(u["verdict"] == "right" for u in units)
    n_wrong = sum(u["verdict"] == "wrong" for u in units)
    print(f"audit: {len(units)} judged units in {len({u['doc'] for u in units})} articles; right stated "
          f"{len(right)} of {n_right}, wrong still stated {len(wrong)} of {n_wrong} -> {REGRESSION.relative_to(ROOT)}")
    return 0


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def cmd_report(a) -> int:
    judged = load_judgements(Path(a.judgements)) if a.judgements else load_judgements()
    if a.sample:
        keys = [json.loads(x)["key"] for x in Path(a.sample).read_text(encoding="utf-8").splitlines() if x.strip()]
        units = [judged[k] for k in keys if k in judged]
        missing = len(keys) - len(units)
    else:
        units = list(judged.values())
        missing = 0
    for kind in UNIT_QUERIES:
        us = [u for u in units if u.get("kind", "relations") == kind]
        if not us:
            continue
        n = len(us)
        v = Counter(u["verdict"] for u in us)
        lo, hi = wilson(v["right"], n)
        print(f"{kind}: {n} judged units: right {v['right']}, half {v['half']}, wrong {v['wrong']}")
        print(f"  precision {v['right'] / n:.3f} (95 % interval {lo:.3f} - {hi:.3f}); counting half as right "
              f"{(v['right'] + v['half']) / n:.3f}")
        classes = Counter(u.get("class") for u in us if u["verdict"] != "right")
        if classes:
            print("  failure classes: " + ", ".join(f"{c} {k}" for c, k in classes.most_common()))
        if kind in ("relations", "open"):
            by_pred: dict[str, Counter] = defaultdict(Counter)
            for u in us:
                by_pred[u.get("predicate", "?")][u["verdict"]] += 1
            rows = sorted(by_pred.items(), key=lambda kv: -sum(kv[1].values()))
            print("  per predicate: " + "; ".join(
                f"{p} {c['right']}/{sum(c.values())}" for p, c in rows))
    if missing:
        print(f"({missing} units of the sample have no verdict yet)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample", help="build random articles outside the gold and draw units to judge")
    s.add_argument("--articles", type=int, default=80)
    s.add_argument("--units", type=int, default=150, help="units to draw (0: all)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--kind", choices=tuple(UNIT_QUERIES), default="relations",
                   help="relations of the vocabulary, quotations, or open relations (open statements)")
    s.add_argument("--pool", choices=("test", "tune", "all"), default="test",
                   help="which half of the articles outside the gold to draw from (default: test)")
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--reuse", action="store_true", help="reuse out/audit/store (same seed and articles)")
    s.set_defaults(fn=cmd_sample)
    d = sub.add_parser("add", help="add judged lines (verdict, class, note filled) to bench/audit/judgements.jsonl")
    d.add_argument("file")
    d.set_defaults(fn=cmd_add)
    r = sub.add_parser("report", help="precision with a 95 %% interval, failure classes, per predicate")
    r.add_argument("--sample", help="only the units of this sample file (default: every verdict)")
    r.add_argument("--judgements", help="read the verdicts from this JSONL file (judged to_judge lines) instead of "
                                        "bench/audit/judgements.jsonl")
    r.set_defaults(fn=cmd_report)
    g = sub.add_parser("regress", help="record which judged units the code states now (bench/audit/regression.json, "
                                       "read by tests/test_audit.py)")
    g.add_argument("--workers", type=int, default=2)
    g.set_defaults(fn=cmd_regress)
    a = ap.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    raise SystemExit(main())

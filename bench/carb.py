#!/usr/bin/env python3
"""CaRB benchmark of `kg openie`, with textacy's subject_verb_object_triples as a baseline.

    .venv/bin/python bench/carb.py                      # dev split in ../shared/carb
    .venv/bin/python bench/carb.py --keep out/          # also keep the system files
    bench/carb.sh --workers 2

Runs `kg openie` (as a subprocess, so the time includes loading the model) on the CaRB
sentences, builds the baseline from the same spaCy parse of the same whitespace tokens, scores
both with the benchmark's own scorer (score_carb.py, run with this Python) and prints a table:
P, R, F1 (best-F1 point of the PR curve), AUC, number of tuples and time taken.

The baseline is textacy 0.13's ``textacy.extract.subject_verb_object_triples`` (pip install
textacy; it is in the `test` extra): relation = the verb tokens, arg1 = subject tokens, arg2 =
object tokens, confidence 1/(1 + (subject + object tokens)/10) so that both systems rank their
output (see the CaRB README on why AUCs compare only between ranking systems).

Exit status: 0 ok, 2 when the benchmark data or the scorer cannot be found.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CARB = Path(os.environ.get("KG_CARB", REPO.parent / "shared" / "carb"))


def die(msg: str) -> None:
    print(f"carb: error: {msg}", file=sys.stderr)
    sys.exit(2)


def run_kg(sentences: Path, out: Path, model: str | None, workers: int) -> float:
    cmd = [sys.executable, "-m", "kg.cli", "openie", "--no-progress", "--workers", str(workers), str(sentences)]
    if model:
        cmd += ["--model", model]
    t0 = time.perf_counter()
    with out.open("w", encoding="utf-8") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, text=True, cwd=REPO)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        die(f"kg openie failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return elapsed


def run_textacy(sentences: Path, out: Path, model: str | None) -> float | None:
    try:
        from textacy.extract import subject_verb_object_triples
    except ImportError:
        print("carb: textacy is not installed (pip install 'textacy>=0.13'); baseline skipped", file=sys.stderr)
        return None
    from spacy.tokens import Doc

    from kg.nlp import DEFAULT_MODEL, load
    from kg.openie import read_sentences

    t0 = time.perf_counter()
    nlp = load(model or DEFAULT_MODEL)
    with sentences.open(encoding="utf-8") as fh:
        sents = read_sentences(fh)
    with out.open("w", encoding="utf-8") as fh:
        docs = nlp.pipe((Doc(nlp.vocab, words=s.split()) for s in sents), batch_size=64)
        for s, doc in zip(sents, docs):
            for svo in subject_verb_object_triples(doc):
                subj = " ".join(t.text for t in svo.subject)
                verb = " ".join(t.text for t in svo.verb)
                obj = " ".join(t.text for t in svo.object)
                conf = 1 / (1 + (len(svo.subject) + len(svo.object)) / 10)
                fh.write(f"{s}\t{conf:.4f}\t{verb}\t{subj}\t{obj}\n")
    return time.perf_counter() - t0


def score(scorer: Path, gold: Path, system: Path) -> dict:
    proc = subprocess.run([sys.executable, str(scorer), "--gold", str(gold), "--system", str(system), "--json"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        die(f"score_carb.py failed on {system}:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--carb", type=Path, default=DEFAULT_CARB,
                    help="CaRB folder with data/ and score_carb.py [default: $KG_CARB or ../shared/carb]")
    ap.add_argument("--sentences", type=Path, help="sentences, one per line [default: CARB/data/dev.txt]")
    ap.add_argument("--gold", type=Path, help="gold tuples [default: CARB/data/gold/dev.tsv]")
    ap.add_argument("--model", help="spaCy pipeline for both systems [default: kg's]")
    ap.add_argument("--workers", type=int, default=1, help="kg openie parser processes [default: 1]")
    ap.add_argument("--no-baseline", action="store_true", help="skip the textacy baseline")
    ap.add_argument("--keep", type=Path, metavar="DIR", help="write kg.tsv and textacy.tsv here")
    a = ap.parse_args(argv)

    sentences = a.sentences or a.carb / "data" / "dev.txt"
    gold = a.gold or a.carb / "data" / "gold" / "dev.tsv"
    scorer = a.carb / "score_carb.py"
    for what, p in (("sentences", sentences), ("gold", gold), ("scorer", scorer)):
        if not p.is_file():
            die(f"CaRB {what} not found at {p}: the benchmark lives in ../shared/carb next to the repo "
                f"(or give --carb DIR / set KG_CARB)")

    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-carb-") as tmp:
        outdir = a.keep or Path(tmp)
        outdir.mkdir(parents=True, exist_ok=True)
        rows = []
        kg_out = outdir / "kg.tsv"
        kg_time = run_kg(sentences, kg_out, a.model, a.workers)
        rows.append(("kg openie", score(scorer, gold, kg_out), kg_time))
        if not a.no_baseline:
            tx_out = outdir / "textacy.tsv"
            tx_time = run_textacy(sentences, tx_out, a.model)
            if tx_time is not None:
                rows.append(("textacy SVO", score(scorer, gold, tx_out), tx_time))
    total = time.perf_counter() - t_start

    n = sum(1 for line in sentences.open(encoding="utf-8") if line.strip())
    print(f"CaRB {sentences.name}: {n} sentences, gold {gold}")
    print(f"{'system':<12} {'P':>6} {'R':>6} {'F1':>6} {'AUC':>6} {'tuples':>7} {'time':>7}")
    for name, r, t in rows:
        print(f"{name:<12} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['auc']:6.3f} "
              f"{r['system_tuples']:7d} {t:6.1f}s")
    print(f"total {total:.1f}s" + (f"; outputs in {a.keep}" if a.keep else ""))
    r = rows[0][1]["rounded"]
    print(f"carb: F1 {r['f1']:.3f} P {r['precision']:.3f} R {r['recall']:.3f} AUC {r['auc']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

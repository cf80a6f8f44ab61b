#!/usr/bin/env python
"""Where a build's time goes: ``kg build`` of a corpus under py-spy, samples grouped by stage.

Runs ``py-spy record`` (sampling from outside; with ``--subprocesses`` for several workers)
on a real ``kg build`` process and attributes every sample to the innermost kg module on its
stack: ingest, parse (spaCy, under kg/nlp.py), the kg_paragraphs component, the attribute
ruler's index and memo lemmatizer (kg/fastpipe.py, inside spaCy's parse), extract, resolve,
rdf (terms and quads), store (SPARQL writes and the summary), pipeline (spool), plus model
load and imports. Prints the stage table and the top functions by own time (leaf frames),
and keeps the raw samples in out/bench/profile-w{W}.txt. Falls back to pyinstrument (in
process, workers=1, less exact for spaCy's Cython generators) when py-spy cannot attach.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import KG, OUT, PY, Figure, add_common_args, corpus, corpus_words, emit, fresh_dir  # noqa: E402

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^():]*)(?::(?P<line>\d+))?\)$")
STAGES = [  # (stage, test on (function, file)) - first match from the innermost kg frame outwards
    ("model load", lambda f, p: p.endswith("kg/nlp.py") and f == "load"),
    ("kg_paragraphs component", lambda f, p: p.endswith("kg/nlp.py") and "paragraph" in f),
    # the memo lemmatizer's pipe() is a Python generator that the next component pulls docs
    # through: samples under it (and not in its __call__) are spaCy's upstream components at work
    ("parse (spaCy)", lambda f, p: p.endswith("kg/fastpipe.py") and f.split(".")[-1] == "pipe"),
    ("spaCy stand-ins (kg.fastpipe)", lambda f, p: p.endswith("kg/fastpipe.py")),
    ("parse (spaCy)", lambda f, p: p.endswith("kg/nlp.py") or "kg/build/" in p and p.endswith(("stages.py", "pool.py", "cluster.py"))),
    ("ingest", lambda f, p: "kg/ingest/" in p),
    ("extract", lambda f, p: "kg/extract/" in p or p.endswith(("kg/openie.py", "kg/vocab.py"))),
    ("resolve", lambda f, p: "kg/resolve/" in p or p.endswith("kg/gazetteer.py")),
    ("rdf terms + quads", lambda f, p: p.endswith("kg/rdf.py")),
    ("store writes + summary", lambda f, p: p.endswith(("kg/store.py", "kg/write.py")) or "kg/summary/" in p),
    ("pipeline (select, spool)", lambda f, p: "kg/build/" in p),
    ("cli", lambda f, p: "kg/cli/" in p or p.endswith("kg/api.py")),
]


def parse_stack(line: str) -> tuple[list[tuple[str, str]], int]:
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = []
    for part in stack.split(";"):
        m = FRAME.match(part.strip())
        frames.append((m.group("func"), m.group("file")) if m else (part.strip(), ""))
    return frames, int(count)


def stage_of(frames: list[tuple[str, str]]) -> str:
    for func, path in frames:
        if "importlib._bootstrap" in path and func in ("_find_and_load", "_load_unlocked"):
            # an import: counted as imports unless it is the model being loaded
            if any(p.endswith("kg/nlp.py") and f == "load" for f, p in frames):
                return "model load"
            return "imports"
    for func, path in reversed(frames):
        if "/kg/" in "/" + path or path.startswith("kg/"):
            for stage, test in STAGES:
                if test(func, path):
                    return stage
            return "other kg"
    if any("spacy" in p or "thinc" in p for _, p in frames):
        return "parse (spaCy)"
    return "other (interpreter, threads)"


def summarise(raw: Path, top: int = 12) -> tuple[collections.Counter, collections.Counter, int]:
    stages: collections.Counter = collections.Counter()
    leaves: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        frames, n = parse_stack(line)
        if frames and frames[0][0].startswith("process ") and frames[0][1] == "":
            frames = frames[1:]  # --subprocesses: the first frame names the process
        total += n
        stages[stage_of(frames)] += n
        func, path = frames[-1] if frames else ("?", "")
        leaves[f"{func} ({path})"] += n
    return stages, leaves, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("-n", type=int, default=None, help="articles (default 150, quick 40)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    args = ap.parse_args()
    n = args.n or (40 if args.quick else 150)
    d = corpus(n, args.seed)
    words = corpus_words(d)
    store = fresh_dir(OUT / "profile-store")
    raw = OUT / f"profile-w{args.workers}.txt"
    spy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    cmd = [spy, "record", "-r", str(args.rate), "-f", "raw", "-o", str(raw)]
    if args.workers > 1:
        cmd.append("--subprocesses")
    cmd += ["--", KG, "-q", "build", str(d), "--store", str(store), "--workers", str(args.workers), "--no-progress"]
    print(f"[profile] kg build of {n} articles ({words} words), workers={args.workers}, py-spy at {args.rate} Hz",
          flush=True)
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if res.returncode not in (0, 1) or not raw.exists():
        print(f"[profile] py-spy failed ({res.returncode}): {res.stderr.strip()[-300:]}; using pyinstrument",
              flush=True)
        return pyinstrument_fallback(d, n, args)
    stages, leaves, total = summarise(raw)
    secs = lambda k: k / args.rate  # noqa: E731
    print(f"[profile] {total} samples ({secs(total):.1f} s of CPU in sampled threads), build wall {wall:.1f} s")
    print(f"  {'stage':<32}{'seconds':>9}{'share':>8}{'ms/article':>12}")
    for stage, k in stages.most_common():
        print(f"  {stage:<32}{secs(k):>9.1f}{100 * k / total:>7.1f}%{1000 * secs(k) / n:>12.1f}")
    print("  top functions by own time (leaf frames):")
    for name, k in leaves.most_common(12):
        print(f"    {100 * k / total:5.1f}%  {name[:110]}")
    parse = stages["parse (spaCy)"] + stages["spaCy stand-ins (kg.fastpipe)"]  # both parse
    kg_own = total - parse - stages["model load"] - stages["imports"] - stages["other (interpreter, threads)"]
    top3 = ", ".join(f"{s} {100 * k / total:.0f}%" for s, k in stages.most_common() if s not in ("parse (spaCy)", "spaCy stand-ins (kg.fastpipe)"))
    emit(Figure("profile", f"profile of kg build (py-spy, {args.workers} process{'es' if args.workers > 1 else ''})",
                kg_own / max(1, parse), f"kg's own work = {100 * kg_own / max(1, parse):.0f}% of parse time",
                "report", None, f"N={n}; spaCy parse {100 * parse / total:.0f}% of samples; others: {top3}"),
         args.figures)
    return 0


def pyinstrument_fallback(d: Path, n: int, args) -> int:
    from pyinstrument import Profiler

    from kg.nlp import DEFAULT_MODEL, load
    from kg.build import build
    from kg.store import KGStore

    load(DEFAULT_MODEL)
    store = fresh_dir(OUT / "profile-store")
    p = Profiler(interval=0.005)
    with KGStore.open(store) as s:
        p.start()
        build(s, [str(d)], model=DEFAULT_MODEL, progress=False)
        p.stop()
    text = p.output_text(unicode=False, color=False)
    (OUT / "profile-pyinstrument.txt").write_text(text)
    print("\n".join(text.splitlines()[:60]))
    emit(Figure("profile", "profile of kg build (pyinstrument)", None, "see out/bench/profile-pyinstrument.txt",
                "report", None, f"N={n}"), args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

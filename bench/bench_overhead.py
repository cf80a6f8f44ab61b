#!/usr/bin/env python
"""kg's cost on top of spaCy's parse, measured in one process with the two interleaved.

Whole-process timings (bench_build.py) move by 20-30 % between back-to-back runs on a shared
VM whose speed drifts over tens of seconds, so one pair of runs can land in a fast and a slow
moment. Here one process loads both pipelines - spaCy's alone, as bench/bare_parse.py loads it,
and kg's - and for each chunk of 16 articles times, back to back and in alternating order:

* bare: ``nlp.pipe`` over the chunk's texts;
* kg: parse and extract the same articles (``kg.build.local_extractions``);
* kg's parse: ``nlp.pipe`` of kg's own pipeline (``kg.nlp.load``: the same model, the
  attribute ruler's matcher and the lemmatizer replaced by ``kg.fastpipe``'s stand-ins, and kg's paragraph
  component) over the same texts, to show what kg's own work costs on top of its parse.

After each pass over the articles kg resolves and writes them as a build does (each article
resolved on its own, then ``kg.write.write_articles`` of the pass with its summary update,
into an on-disk store that grows over the passes), timed once.
It prints (Σ kg + resolve and write) ÷ Σ bare (wall time; CPU time beside it) and the spread
of the chunks' parse-and-extract ratios. What both runs of a build share - interpreter start,
imports, model load - is left out, which makes this ratio, if anything, higher than the
whole-process one.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bare_parse import read_texts  # noqa: E402
from common import MODEL, OUT, Figure, add_common_args, corpus, emit, ratio_shown, fresh_dir  # noqa: E402

CHUNK = 16


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_common_args(ap)
    ap.add_argument("-n", type=int, default=None, help="articles (default 100, quick 48)")
    ap.add_argument("--passes", type=int, default=2, help="passes over the articles (default 2)")
    args = ap.parse_args()
    n = args.n or (48 if args.quick else 100)
    d = corpus(n, args.seed)

    import spacy

    from kg import write
    from kg.ingest import read_inputs
    from kg.nlp import UNUSED_PIPES, load
    from kg.build import local_extractions
    from kg.resolve import Resolver
    from kg.store import KGStore

    articles = [r.item for r in read_inputs([str(d)])]
    texts = read_texts(d)
    assert [a.text.strip() for a in articles] == texts, "kg and bare_parse read different texts"
    bare_nlp = spacy.load(MODEL, exclude=list(UNUSED_PIPES))
    kg_nlp = load(MODEL)
    for _ in bare_nlp.pipe(texts[:CHUNK]):  # warm both up
        pass
    for _ in local_extractions(articles[:CHUNK], model=MODEL):
        pass

    times: dict[str, list[float]] = {"bare": [], "kg": [], "kg_parse": []}
    cpu = {"bare": 0.0, "kg": 0.0, "kg_parse": 0.0}
    write_wall = 0.0
    path = fresh_dir(OUT / "overhead-store")
    with KGStore.open(path) as store, write.Writer(store) as writer:
        extracted: list = []

        def bare(chunk: list[int]) -> None:
            for _ in bare_nlp.pipe([texts[i] for i in chunk], batch_size=CHUNK):
                pass

        def kg_parse(chunk: list[int]) -> None:
            for _ in kg_nlp.pipe([articles[i].text for i in chunk], batch_size=CHUNK):
                pass

        def kg(chunk: list[int]) -> None:
            extracted.extend(x for _, x in local_extractions([articles[i] for i in chunk], model=MODEL,
                                                             batch_size=CHUNK))

        k = 0
        for p in range(args.passes):
            if p:  # the same articles again, under new ids (as new articles, not replacements)
                articles = [dataclasses.replace(a, id=f"{a.id}-p{p}") for a in articles]
            extracted.clear()
            for start in range(0, n, CHUNK):
                chunk = list(range(start, min(n, start + CHUNK)))
                order = ("bare", "kg", "kg_parse")
                for kind in order[k % 3:] + order[:k % 3]:
                    t, c = time.perf_counter(), time.process_time()
                    {"bare": bare, "kg": kg, "kg_parse": kg_parse}[kind](chunk)
                    times[kind].append(time.perf_counter() - t)
                    cpu[kind] += time.process_time() - c
                k += 1
            t, c = time.perf_counter(), time.process_time()
            resolver = Resolver()
            writer.write([resolver.resolve(x) for x in extracted])
            write_wall += time.perf_counter() - t
            cpu["kg"] += time.process_time() - c
    ratio = (sum(times["kg"]) + write_wall) / sum(times["bare"])
    per_chunk = sorted(b / a for a, b in zip(times["bare"], times["kg"]))
    q = statistics.quantiles(per_chunk, n=4) if len(per_chunk) > 1 else per_chunk * 3
    emit(Figure("build_overhead_w1", "kg's stages ÷ bare nlp.pipe, interleaved in one process", ratio, ratio_shown(ratio, 1.25),
                "≤ 1.25", ratio <= 1.25,
                f"N={n} articles × {args.passes} passes, {len(per_chunk)} chunks of {CHUNK}: parse + extract "
                f"{sum(times['kg']):.1f} s (chunk ratios median {q[1]:.2f}, quartiles {q[0]:.2f}–{q[2]:.2f}) + resolve "
                f"and write {write_wall:.1f} s vs bare {sum(times['bare']):.1f} s; CPU-time ratio "
                f"{cpu['kg'] / cpu['bare']:.2f}"), args.figures)
    own = (sum(times["kg"]) + write_wall) / sum(times["kg_parse"])
    emit(Figure("build_overhead_own", "kg's stages ÷ kg's own parse, interleaved", own, f"{own:.2f}", "report", None,
                f"the same chunks: kg's pipeline alone (kg.fastpipe's attribute ruler and lemmatizer, paragraph starts) "
                f"{sum(times['kg_parse']):.1f} s, {sum(times['kg_parse']) / sum(times['bare']):.2f} of bare spaCy's; "
                f"extraction, resolution and writes add {own - 1:.0%} to it"), args.figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())

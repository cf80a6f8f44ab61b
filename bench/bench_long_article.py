#!/usr/bin/env python
"""One article of many megabytes on one line (no paragraph or line break): wall time and peak
RSS of ``kg build`` on it.

By default the article is longer than ``--max-article-chars`` (1,000,000) and the build skips it
after reading it: the figure is what reading, normalising and refusing it cost. With ``--limit 0``
it is parsed in pieces of ``kg.nlp.MAX_CHARS`` characters at spaCy's throughput (about a
minute per million characters here, ~0.9 GB for the piece at hand plus ~10 MB per piece parsed);
``--timeout`` stops such a run (SIGTERM) and reports how far it got (from ``kg -v``'s log).

    python bench/bench_long_article.py --mb 50                 # skipped: seconds
    python bench/bench_long_article.py --mb 2 --limit 0        # parsed in 10 pieces
    python bench/bench_long_article.py --mb 50 --limit 0 --timeout 600
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import KG, fresh_dir  # noqa: E402

SENTENCE = "Chile condemned the missile strike on Peru, the foreign ministry said. "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50, help="size of the article in MB (characters)")
    ap.add_argument("--no-spaces", action="store_true", help="a run of letters instead of sentences")
    ap.add_argument("--limit", type=int, default=None, help="--max-article-chars (default: kg's)")
    ap.add_argument("--timeout", type=float, default=900, help="stop the build after this many seconds")
    args = ap.parse_args()

    n = int(args.mb * 1_000_000)
    unit = "abcdefghij" if args.no_spaces else SENTENCE
    with tempfile.TemporaryDirectory(prefix="kg-long-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / "oneline.txt").write_text((unit * (n // len(unit) + 1))[:n], encoding="utf-8")
        store = fresh_dir(Path(tmp) / "store")
        cmd = [KG, "-v", "build", str(folder), "--store", str(store), "--no-progress"]
        if args.limit is not None:
            cmd += ["--max-article-chars", str(args.limit)]
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        timed_out = False
        try:
            _, err = proc.communicate(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.terminate()  # SIGTERM: kg stops after the piece at hand
            _, err = proc.communicate()
        wall = time.perf_counter() - t
        # the peak RSS of that child alone (it is the only child waited for here)
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    last = [line for line in err.splitlines() if line.startswith("kg: ") and "INFO" not in line]
    pieces = [line for line in err.splitlines() if "parsed in" in line or "abandoned after" in line]
    print(f"one-line article of {n:,} characters ({'letters' if args.no_spaces else 'sentences'}), "
          f"--max-article-chars {args.limit if args.limit is not None else 'default'}")
    print(f"  wall {wall:.1f} s{' (stopped at the timeout)' if timed_out else ''}, peak RSS {peak:.0f} MB, "
          f"exit {proc.returncode}, cpus {os.cpu_count()}")
    for line in pieces + last[-2:]:
        print(f"  {line}")


if __name__ == "__main__":
    main()

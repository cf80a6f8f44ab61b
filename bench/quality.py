"""Extraction quality on gold files: builds each gold's articles into a fresh store, exports
CSV and runs the shared scorer (../shared/eval/score.py).

    .venv/bin/python bench/quality.py            # seeds gold + bench/heldout gold

bench/heldout/ holds two articles about other events with a gold file of our own. They were
written while the rules were developed, so they are a regression check, not a blind test.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
KG = [sys.executable, "-m", "kg.cli", "-q"]


def score(articles: Path, gold: Path) -> str:
    scorer = SHARED / "eval" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        store, out = Path(tmp) / "store", Path(tmp) / "csv"
        subprocess.run([*KG, "build", str(articles), "--store", str(store), "--no-progress"], check=True)
        subprocess.run([*KG, "export", "--format", "csv", "--output", str(out), "--store", str(store)], check=True,
                       capture_output=True)
        r = subprocess.run([sys.executable, str(scorer), str(gold), str(out)], capture_output=True, text=True,
                           check=True)
        return r.stdout.strip().splitlines()[-1]


def main() -> int:
    if not (SHARED / "eval" / "score.py").exists():
        print("bench/quality.py: ../shared/eval/score.py not found; nothing to score", file=sys.stderr)
        return 2
    runs = [("seeds", ROOT / "data" / "articles", SHARED / "eval" / "seeds.gold.json"),
            ("heldout", ROOT / "bench" / "heldout", ROOT / "bench" / "heldout" / "heldout.gold.json")]
    for name, articles, gold in runs:
        print(f"{name:8} {score(articles, gold)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

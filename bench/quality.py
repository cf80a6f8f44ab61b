"""Extraction quality on gold files: builds each gold's articles into a fresh store, exports
CSV and runs the shared scorer (../shared/eval/score.py).

    .venv/bin/python bench/quality.py            # seeds gold, bench/heldout gold, our Wikinews gold
    .venv/bin/python bench/quality.py --rows     # and every gold relation found or missed

bench/gold/wikinews.gold.json: 53 Wikinews articles of every section (bench/gold/README.md),
built from ../shared/news/wikinews/.

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


def score(articles: Path, gold: Path, rows: bool = False, keep: Path | None = None) -> str:
    import json

    scorer = SHARED / "eval" / "score.py"
    with tempfile.TemporaryDirectory() as tmp:
        store, out = Path(tmp) / "store", (keep or Path(tmp) / "csv")
        docs = json.loads(gold.read_text(encoding="utf-8"))["docs"]
        if not all((articles / f"{d}.txt").exists() for d in docs):
            return f"articles of {gold.name} not found in {articles}"
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for d in docs:
            (folder / f"{d}.txt").symlink_to((articles / f"{d}.txt").resolve())
        subprocess.run([*KG, "build", str(folder), "--store", str(store), "--no-progress", "--workers", "2",
                        "--follow-symlinks"],
                       check=True)
        # --no-open: the gold scores facts of the vocabulary; shared/eval/FORMAT.md has no open relations
        subprocess.run([*KG, "export", "--format", "csv", "--no-open", "--output", str(out), "--store", str(store)],
                       check=True,
                       capture_output=True)
        r = subprocess.run([sys.executable, str(scorer), str(gold), str(out)], capture_output=True, text=True,
                           check=True)
        lines = r.stdout.strip().splitlines()
        return "\n".join(lines) if rows else lines[-1]


def main() -> int:
    if not (SHARED / "eval" / "score.py").exists():
        print("bench/quality.py: ../shared/eval/score.py not found; nothing to score", file=sys.stderr)
        return 2
    rows = "--rows" in sys.argv
    runs = [("seeds", ROOT / "data" / "articles", SHARED / "eval" / "seeds.gold.json"),
            ("heldout", ROOT / "bench" / "heldout", ROOT / "bench" / "heldout" / "heldout.gold.json"),
            ("wikinews", SHARED / "news" / "wikinews", ROOT / "bench" / "gold" / "wikinews.gold.json")]
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for name, articles, gold in runs:
        if only and name not in only:
            continue
        keep = ROOT / "out" / "quality" / name if rows else None
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
        print(f"{name:8} {score(articles, gold, rows, keep)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The graph kg builds, as sorted N-Quads, to check that a change keeps behaviour identical.

    python bench/nq_snapshot.py OUT_DIR [--only seeds|wikinews]

Builds ``data/articles`` (the seeds) and every article of ``../shared/news/wikinews/`` into fresh
stores, exports each with ``kg export --format nq`` and writes the lines sorted to
``OUT_DIR/seeds.nq`` and ``OUT_DIR/wikinews.nq`` (with their SHA-256 printed). Compare two
snapshots with ``cmp`` or ``diff``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli", "-q"]
SETS = {"seeds": ROOT / "data" / "articles", "wikinews": ROOT.parent / "shared" / "news" / "wikinews"}


def snapshot(name: str, articles: Path, out: Path) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        store, nq = Path(tmp) / "store", Path(tmp) / "graph.nq"
        subprocess.run([*KG, "build", str(articles), "--store", str(store), "--no-progress", "--workers", "2"],
                       check=True)
        subprocess.run([*KG, "export", "--format", "nq", "--output", str(nq), "--store", str(store)], check=True)
        lines = sorted(set(nq.read_text(encoding="utf-8").splitlines()))
    target = out / f"{name}.nq"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    print(f"{name}: {len(lines)} quads, sha256 {digest}")
    return digest


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    only = argv[argv.index("--only") + 1] if "--only" in argv else None
    for name, articles in SETS.items():
        if only in (None, name):
            snapshot(name, articles, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

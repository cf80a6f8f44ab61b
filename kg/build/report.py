"""What a build did: articles built, replaced, unchanged, duplicates and skipped (with why), notes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..ingest import Note, Problem


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    #: the same article as another one of the run or of the store: built once, not a failure
    duplicates: list[Problem] = field(default_factory=list)
    notes: list[tuple[str, Note]] = field(default_factory=list)  # (where, note): ("x.txt", "not valid UTF-8...")
    interrupted: bool = False  # stopped on request (a signal, KeyboardInterrupt) before the end
    stopped: Problem | None = None  # with strict: the problem that stopped the build
    curation: list = field(default_factory=list)  # (rule, things touched) of the curation applied at the end

    def summary(self) -> str:
        s = f"{len(self.built)} built, {len(self.replaced)} replaced, {len(self.unchanged)} unchanged, "
        if self.duplicates:
            s += f"{len(self.duplicates)} duplicate, "
        s += f"{len(self.skipped)} skipped"
        if self.skipped:
            kinds = Counter(problem_kind(p.reason) for p in self.skipped)
            s += " (" + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) + ")"
        if self.notes:
            kinds = Counter(note.kind for _, note in self.notes)
            s += "; " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        if self.stopped:
            s += "; stopped at the first problem (--strict)"
        if self.interrupted:
            s += "; interrupted"
        return s


_KIND_END = re.compile(r":| \(| '| \"")


def problem_kind(reason: str) -> str:
    """The kind of a problem, for the summary: ``"invalid JSON: ..."`` -> ``"invalid JSON"``,
    ``"unsafe id '../x'"`` -> ``"unsafe id"``, ``"missing 'text'"`` stays whole."""
    m = _KIND_END.search(reason, 1)
    if m is None or (m.group() in (" '", ' "') and " " not in reason[:m.start()]):
        return reason
    return reason[:m.start()]

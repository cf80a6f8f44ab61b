#!/usr/bin/env python
"""Write N news-like articles for the benchmarks: ``make_corpus.py N OUTDIR [--seed S]``.

Articles recombine real sentences - the sample articles of ``data/articles/`` and, when
present, the CaRB dev sentences of ``../shared/carb/data/dev.txt`` - and replace the
names in them with people, countries (and their demonyms), cities and organisations
drawn from ``data/gazetteer/``:

* every source sentence is turned into a template once: spaCy's NER marks the PERSON,
  ORG, GPE and NORP names, which become slots (a person's full name and surname are
  two forms of one slot, so "John Kirby ... Kirby said" stays one person);
* each article has a small cast (2-4 people, 2-3 countries, 1-2 organisations, 1-2
  cities) that fills its sentences' slots, so names recur inside an article the way
  they do in news and the resolver has surnames to merge;
* casts are drawn with a Zipf law over a large universe - the gazetteer's people first,
  then invented first-name x surname pairs - so a few names are everywhere and new ones
  keep appearing: the number of distinct entities grows sub-linearly with N, like a real
  corpus's (Heaps' law), instead of saturating or growing linearly.

The output is ``OUTDIR/a000000.txt`` ... with YAML front matter (title, date, source).
Deterministic: the same N, seed, source files and spaCy model give the same bytes.
Prints one line of statistics (articles, words, distinct names) to stderr.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARB_DEV = ROOT.parent / "shared" / "carb" / "data" / "dev.txt"
SOURCES = ("Wire A", "Wire B", "Daily Ledger", "Global Post", "Morning Herald", "Evening Standard Times")
# Sentences from news articles are over-represented: they carry quotations, "said" and titles.
NEWS_SHARE = 0.45
ZIPF_S = 1.05  # exponent of the name-popularity law


# ------------------------------------------------------------------ sources
def _detok(s: str) -> str:
    """CaRB's tokenised text back to ordinary text."""
    s = s.replace("`` ", '"').replace(" ''", '"').replace("``", '"').replace("''", '"')
    s = re.sub(r" ([,.;:!?%)\]])", r"\1", s)
    s = re.sub(r"([(\[$]) ", r"\1", s)
    s = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)
    s = s.replace(" -- ", " - ").replace("-LRB- ", "(").replace(" -RRB-", ")")
    return " ".join(s.split())


_SENT_SPLIT = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["\u201d]))\s+(?=["\u201c]?[A-Z])')


def news_sentences() -> list[str]:
    from kg.ingest import Problem, read_articles

    out = []
    for a in read_articles([str(ROOT / "data" / "articles")]):
        if isinstance(a, Problem):
            continue
        for para in a.text.split("\n\n"):
            out.extend(s.strip() for s in _SENT_SPLIT.split(para) if len(s.split()) >= 5)
    return list(dict.fromkeys(out))


def carb_sentences() -> list[str]:
    if not CARB_DEV.exists():
        return []
    lines = [_detok(l) for l in CARB_DEV.read_text(encoding="utf-8").splitlines() if l.strip()]
    return list(dict.fromkeys(l for l in lines if 6 <= len(l.split()) <= 60))


# ------------------------------------------------------------------ names
def _jsonl(name: str) -> list[dict]:
    with open(ROOT / "data" / "gazetteer" / name, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


class Names:
    """Universes of names per kind, each in a fixed popularity order (independent of the seed)."""

    def __init__(self) -> None:
        fixed = random.Random(20240601)  # the order of the universes never depends on --seed
        people = [p["name"] for p in _jsonl("persons.jsonl")
                  if 2 <= len(p["name"].split()) <= 3 and p["name"].replace(" ", "").replace("-", "").isalpha()]
        firsts = sorted({n.split()[0] for n in people if len(n.split()[0]) > 2})
        lasts = sorted({n.split()[-1] for n in people if len(n.split()[-1]) > 2})
        fixed.shuffle(people)
        invented = [f"{f} {l}" for f in firsts for l in lasts]
        fixed.shuffle(invented)
        known = set(people)
        self.people = people + [n for n in invented[:300_000] if n not in known]
        countries = [c for c in _jsonl("countries.jsonl") if c.get("demonyms")]
        fixed.shuffle(countries)
        self.countries = [(c["name"], c["demonyms"][0]) for c in countries]
        orgs = [o["name"] for o in _jsonl("organizations.jsonl")]
        with open(ROOT / "data" / "gazetteer" / "government_bodies.csv", encoding="utf-8") as f:
            orgs += [r["name"] for r in csv.DictReader(f)]
        orgs = sorted(set(orgs))
        fixed.shuffle(orgs)
        self.orgs = orgs
        cities = sorted({c["name"] for c in _jsonl("cities.jsonl")})
        fixed.shuffle(cities)
        self.cities = cities
        self._cum: dict[int, list[float]] = {}

    def _cumulative(self, n: int) -> list[float]:
        if n not in self._cum:
            acc, cum = 0.0, []
            for r in range(n):
                acc += 1.0 / (r + 1) ** ZIPF_S
                cum.append(acc)
            self._cum[n] = cum
        return self._cum[n]

    def draw(self, rng: random.Random, universe: list, k: int) -> list:
        """``k`` distinct items, Zipf-distributed over the universe's popularity order."""
        cum = self._cumulative(len(universe))
        out: list = []
        while len(out) < min(k, len(universe)):
            item = universe[bisect.bisect_left(cum, rng.random() * cum[-1])]
            if item not in out:
                out.append(item)
        return out


# ------------------------------------------------------------------ templates
SLOT = re.compile(r"\{(P|C|D|O|T)(\d)([fl]?)\}")


def make_templates(sentences: list[str], names: Names) -> list[str]:
    """Sentences with their names replaced by slots: ``{P0f}`` person 0 full name, ``{P0l}``
    its surname, ``{C0}`` country, ``{D0}`` its demonym, ``{O0}`` organisation, ``{T0}`` city."""
    import spacy

    from kg.nlp import DEFAULT_MODEL

    nlp = spacy.load(DEFAULT_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "tagger"])
    countries = {n.lower(): n for n, _ in names.countries}
    demonyms = {d.lower(): d for _, d in names.countries}
    for c in _jsonl("countries.jsonl"):
        for d in c.get("demonyms", []):
            demonyms.setdefault(d.lower(), d)
    cities = {c.lower() for c in names.cities}
    out = []
    for doc in nlp.pipe(sentences, batch_size=64):
        text = doc.text
        if "{" in text or "}" in text:
            continue
        roles: dict[str, dict[str, int]] = {k: {} for k in "PCOT"}
        surname_of: dict[str, str] = {}
        spans = []
        ents = sorted(doc.ents, key=lambda e: -len(e))  # full names first, so surnames can join them
        for e in ents:
            name = e.text
            if name.endswith("'s"):
                name = name[:-2]
            if not name or not name[0].isupper():
                continue
            end = e.start_char + len(name)
            kind = None
            if e.label_ == "PERSON":
                words = name.split()
                if len(words) >= 2 and all(w[:1].isupper() for w in words):
                    r = roles["P"].setdefault(name, len(roles["P"]))
                    surname_of[words[-1]] = name
                    kind = f"P{r}f"
                elif len(words) == 1:
                    full = surname_of.get(name, name)
                    r = roles["P"].setdefault(full, len(roles["P"]))
                    kind = f"P{r}l"
            elif e.label_ == "GPE" and name.lower() in countries:
                kind = f"C{roles['C'].setdefault(name.lower(), len(roles['C']))}"
            elif e.label_ == "GPE" and name.lower() in cities:
                kind = f"T{roles['T'].setdefault(name.lower(), len(roles['T']))}"
            elif e.label_ == "NORP" and name.lower() in demonyms:
                kind = f"D{roles['C'].setdefault('norp:' + name.lower(), len(roles['C']))}"
            elif e.label_ == "ORG" and len(name.split()) >= 2:
                kind = f"O{roles['O'].setdefault(name, len(roles['O']))}"
            if kind is not None:
                spans.append((e.start_char, end, kind))
        if any(len(v) > 6 for v in roles.values()):
            continue
        spans.sort()
        pieces, pos = [], 0
        for s, e, kind in spans:
            if s < pos:
                continue
            pieces.append(text[pos:s])
            pieces.append("{" + kind + "}")
            pos = e
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out


# ------------------------------------------------------------------ articles
def fill(template: str, cast: dict[str, list], rng: random.Random, names: Names) -> str:
    # a sentence with more roles than the cast has members brings in more (drawn the same way)
    universes = {"P": names.people, "C": names.countries, "O": names.orgs, "T": names.cities}
    for m in SLOT.finditer(template):
        kind = "C" if m.group(1) == "D" else m.group(1)
        while int(m.group(2)) >= len(cast[kind]):
            extra = names.draw(rng, universes[kind], len(cast[kind]) + 1)
            cast[kind].extend(x for x in extra if x not in cast[kind])
    # each sentence maps its local roles onto the article's cast, the lead person most often
    perm = {k: rng.sample(range(len(v)), len(v)) for k, v in cast.items()}
    if rng.random() < 0.6:
        perm["P"] = [0] + [i for i in perm["P"] if i != 0]

    def sub(m: re.Match) -> str:
        kind, idx, form = m.group(1), int(m.group(2)), m.group(3)
        if kind == "P":
            name = cast["P"][perm["P"][idx]]
            return name.split()[-1] if form == "l" else name
        if kind in ("C", "D"):
            name, demonym = cast["C"][perm["C"][idx]]
            return name if kind == "C" else demonym
        return cast[kind][perm[kind][idx]]

    return SLOT.sub(sub, template)


def make_article(rng: random.Random, names: Names, news: list[str], other: list[str]) -> tuple[str, dict]:
    cast = {
        "P": names.draw(rng, names.people, rng.randint(2, 4)),
        "C": names.draw(rng, names.countries, rng.randint(2, 3)),
        "O": names.draw(rng, names.orgs, rng.randint(1, 2)),
        "T": names.draw(rng, names.cities, rng.randint(1, 2)),
    }
    n = rng.randint(10, 24)
    chosen: list[str] = []
    used: set[int] = set()
    while len(chosen) < n:
        pool = news if (other == [] or (news and rng.random() < NEWS_SHARE)) else other
        j = rng.randrange(len(pool))
        if (id(pool), j) in used:
            if len(used) >= len(news) + len(other):
                break
            continue
        used.add((id(pool), j))
        chosen.append(fill(pool[j], cast, rng, names))
    paras, k = [], 0
    while k < len(chosen):
        step = rng.randint(1, 3)
        paras.append(" ".join(chosen[k:k + step]))
        k += step
    lead = chosen[0].split()
    title = " ".join(lead[: min(len(lead), 9)]).strip(' ,;:"').replace('"', "")
    date = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(730))
    head = (f"---\ntitle: {json.dumps(title)}\ndate: {date.isoformat()}\n"
            f"source: {json.dumps(rng.choice(SOURCES))}\n---\n\n")
    return head + "\n\n".join(paras) + "\n", cast


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="number of articles")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jsonl", action="store_true", help="write one OUTDIR/corpus.jsonl instead of .txt files")
    args = ap.parse_args(argv)

    names = Names()
    news = make_templates(news_sentences(), names)
    other = make_templates(carb_sentences(), names)
    if not news and not other:
        print("make_corpus: no source sentences", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    args.outdir.mkdir(parents=True, exist_ok=True)
    words = 0
    seen = {k: set() for k in "PCO"}
    jsonl = open(args.outdir / "corpus.jsonl", "w", encoding="utf-8") if args.jsonl else None
    try:
        for i in range(args.n):
            text, cast = make_article(rng, names, news, other)
            words += len(text.split())
            for k in seen:
                seen[k].update(x if isinstance(x, str) else x[0] for x in cast[k])
            doc_id = f"a{i:06d}"
            if jsonl:
                head, _, body = text.partition("\n---\n\n")
                meta = dict(l.split(": ", 1) for l in head.splitlines()[1:])
                jsonl.write(json.dumps({"id": doc_id, "text": body, "title": json.loads(meta["title"]),
                                        "date": meta["date"], "source": json.loads(meta["source"])}) + "\n")
            else:
                (args.outdir / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    finally:
        if jsonl:
            jsonl.close()
    print(f"make_corpus: {args.n} articles, {words} words ({words / max(1, args.n):.0f}/article), "
          f"{len(seen['P'])} people, {len(seen['C'])} countries, {len(seen['O'])} organisations in casts; "
          f"{len(news)} news + {len(other)} CaRB sentence templates, seed {args.seed} -> {args.outdir}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

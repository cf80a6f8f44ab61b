"""OpenIE output of the extractor: n-ary surface tuples for ``kg openie`` (CaRB format).

The clauses come from :func:`kg.extract.clauses`, the same analysis the knowledge-graph
relations use: one extractor, two outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .extract import Clause, clauses, rel_phrase
from .vocab import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class OpenIETuple:
    sent: int
    relation: str
    args: tuple[str, ...]
    confidence: float
    negated: bool = False


def _span_text(tok, exclude=()) -> str:
    toks = [t for t in tok.subtree if not any(t in e.subtree for e in exclude)]
    while toks and (toks[0].is_punct or toks[0].lower_ in ("that",) and toks[0].dep_ == "mark"):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    if not toks:
        return ""
    return tok.doc[toks[0].i : toks[-1].i + 1].text


def openie_tuples(doc, vocab: Vocabulary | None = None, whole: bool = False) -> list[OpenIETuple]:
    """n-ary surface extractions (relation, arg1, arg2, extra args) with confidences."""
    vocab = vocab or load_vocabulary()
    out = []
    for si, sent in enumerate([doc[:]] if whole else doc.sents):
        for c in clauses(sent, vocab):
            if not c.subjects:
                continue
            rel = rel_phrase(c)
            if c.passive:
                rel = rel  # "was called" ... the agent shows as "by X" argument below
            obj_texts = [_span_text(o) for o in c.objects]
            extra = []
            rel_prep = None
            for prep, ptok, pobj in c.preps:
                text = _span_text(pobj)
                if not text:
                    continue
                if not obj_texts and rel_prep is None:
                    rel_prep = prep
                    obj_texts.append(text)
                else:
                    extra.append(f"{ptok.text} {text}")
            if c.passive:
                agents = [_span_text(s) for s in c.subjects]
            for s in c.subjects:
                arg1 = _span_text(s) if s.i != c.verb.head.i or c.verb.dep_ != "relcl" else s.text
                if c.verb.dep_ == "relcl" and s is c.verb.head:
                    arg1 = " ".join(t.text for t in s.subtree if t.i < s.i or t is s) or s.text
                if not arg1:
                    continue
                r = rel + (f" {rel_prep}" if rel_prep else "")
                if c.passive and not c.objects:
                    continue
                args = [arg1, *obj_texts[:1], *obj_texts[1:], *extra]
                if len(args) < 2:
                    continue
                conf = _openie_confidence(c, args)
                out.append(OpenIETuple(si, r, tuple(args), conf, c.negated))
    return out


def _openie_confidence(c: Clause, args) -> float:
    score = 0.75
    if c.inherited_subject:
        score -= 0.15
    if c.passive:
        score -= 0.05
    if len(args) > 3:
        score -= 0.05 * (len(args) - 3)
    if any(len(a.split()) > 12 for a in args):
        score -= 0.15
    if c.verb.dep_ in ("ROOT",):
        score += 0.1
    if any(a.lower() in ("it", "this", "that", "they", "he", "she") for a in args):
        score -= 0.1
    return round(max(0.05, min(0.99, score)), 3)


# ------------------------------------------------------------------ running over sentences
def read_sentences(lines) -> list[str]:
    """One sentence per line; blank lines skipped, surrounding whitespace dropped."""
    return [s for s in (line.strip() for line in lines) if s]


def parse_sentences(sentences, model: str | None = None, workers: int = 1, batch_size: int = 64):
    """Yield ``(sentence, doc)``; each doc is built from the sentence's whitespace tokens, so
    arguments keep the input's tokenisation and casing."""
    from spacy.tokens import Doc

    from .nlp import DEFAULT_MODEL, load

    nlp = load(model or DEFAULT_MODEL)
    docs = (Doc(nlp.vocab, words=s.split()) for s in sentences)
    for s, doc in zip(sentences, nlp.pipe(docs, batch_size=batch_size, n_process=max(1, workers))):
        yield s, doc


def format_carb(sentence: str, t: OpenIETuple) -> str:
    clean = [a.replace("\t", " ") for a in t.args]
    return "\t".join([sentence, f"{t.confidence:.3f}", t.relation, *clean]) + "\n"


def format_jsonl(sentence: str, t: OpenIETuple) -> str:
    return json.dumps({"sentence": sentence, "confidence": t.confidence, "relation": t.relation,
                       "args": list(t.args), "negated": t.negated}, ensure_ascii=False) + "\n"


def run(sentences, write, *, fmt: str = "carb", model: str | None = None, workers: int = 1,
        batch_size: int = 64, progress=None) -> tuple[int, int]:
    """Extract from every sentence and ``write`` formatted lines; returns (sentences, tuples)."""
    vocab = load_vocabulary()
    fmt_line = format_carb if fmt == "carb" else format_jsonl
    n_sent = n_tup = 0
    for sentence, doc in parse_sentences(sentences, model, workers, batch_size):
        for t in openie_tuples(doc, vocab, whole=True):
            write(fmt_line(sentence, t))
            n_tup += 1
        n_sent += 1
        if progress is not None:
            progress(n_sent)
    return n_sent, n_tup

"""OpenIE output of the extractor: n-ary surface tuples for ``kg openie`` (CaRB format).

The verb clauses come from :func:`kg.extract.clauses.clauses`, the same analysis the knowledge-graph
relations use: one extractor, two outputs. This module *renders* each clause as surface text
(a relation phrase and argument spans made of the sentence's own tokens) and adds the tuples a
noun phrase states without a verb. General syntax rules only (each has a test in
tests/test_openie.py):

* the relation is the verb group: auxiliaries, negation ("did not support"), adverbs inside the
  group, the verb and its particle; when the verb has no object, the preposition of its first
  prepositional complement joins the relation ("served as"); control verbs join their
  complement ("plans to build");
* copulas and linking verbs: "X is a Y" -> (X; is; a Y); "X is angry about Y" -> (X; is angry
  about; Y); "X became a justice of Y" -> (X; became a justice of; Y);
* passives keep the surface subject: "X was founded by Y in Z" -> (X; was founded by; Y; in Z);
* prepositional and temporal modifiers of the verb are extra arguments; an indirect object too;
* coordination: conjoined subjects, objects and verbs give one tuple each;
* relative clauses and "X, who ...": the relative pronoun stands for its antecedent, and a
  predicate noun for its subject ("X is a singer who was born in Y" -> (X; was born in; Y));
* participial modifiers: "a report written by X" -> (a report; be written by; X);
* reported speech: "X said (that) S" -> (X; said; that S);
* appositions: "X , a Y" -> (X; be; a Y); "X , the Y of Z" -> (X; be the Y of; Z);
* titles before a name: "former mayor John Smith" -> (John Smith; be; former mayor);
* a place after a noun: "the museum in Granada" -> (the museum; be in; Granada).

Relations stated without a finite verb (appositions, titles, participles, "X in Y") take the
bare "be": the sentence says neither "is" nor "was". An argument is its head's subtree without
the head's relative clauses, appositions and conjuncts (tuples of their own).

Confidence: a base per rule, lowered for what makes a parse and its tuple less reliable: depth
of clause embedding, a subject taken over from another verb, a long subject -- see
:func:`_confidence`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .extract.clauses import OBJ_DEPS, SUBJ_DEPS, clauses
from .extract.records import Clause
from .extract.tree import PREP_COMPLEMENTS, conjuncts, objects_of
from .vocab import Vocabulary, load_vocabulary

REL_PRONOUNS = {"who", "whom", "which", "that", "whose"}
# dependents of an argument's head that are not part of its text: relative clauses and
# appositions (tuples of their own), conjuncts (coordination is split into one tuple each)
DROP_DEPS = {"relcl", "appos"}
TOP_DROP_DEPS = {"conj", "cc", "preconj"}
EDGE_PUNCT = {",", ";", ":", ".", "--", "-", "?", "!", "...", "(", ")", "-LRB-", "-RRB-"}
OPEN_QUOTES = {"``", "`", '"'}
CLOSE_QUOTES = {"''", "'", '"'}
TEMPORAL_ENTS = {"DATE", "TIME"}
# Relations a sentence states without a finite verb (appositions, participial modifiers) take
# the bare "be": the sentence says neither "is" nor "was".
IMPLIED_BE = "be"
#: hops up the tree from a relative pronoun to its relative clause
RELATIVE_HOPS = 3


@dataclass(frozen=True)
class OpenIETuple:
    sent: int
    relation: str
    args: tuple[str, ...]
    confidence: float
    negated: bool = False
    rule: str = ""


# ------------------------------------------------------------------ surface text
def _predicative(noun):
    """A predicate noun stands for its subject: in "X is a company founded in 1990", the company
    founded in 1990 is X."""
    if noun.dep_ == "attr" and noun.head.lemma_ == "be":
        subj = [c for c in noun.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return subj[0]
    return noun


def _antecedent(tok):
    """A relative pronoun ("who", "which", "that") stands for the noun its clause modifies."""
    if tok.lower_ not in REL_PRONOUNS or tok.tag_ not in ("WDT", "WP", "WP$", "IN", "DT"):
        return tok
    h = tok.head
    for _ in range(RELATIVE_HOPS):
        if h.dep_ == "relcl":
            return _predicative(h.head)
        if h.head.i == h.i:
            break
        h = h.head
    return tok


def _keep(tok, top: bool) -> bool:
    """Whether a dependent of an argument's head belongs to the argument's text: relative
    clauses, appositions and conjuncts of the head are tuples of their own."""
    return not (top and (tok.dep_ in DROP_DEPS or tok.dep_ in TOP_DROP_DEPS))


def _arg_tokens(tok, exclude=None) -> list:
    out = [tok]
    stack = [(c, True) for c in tok.children]
    while stack:
        t, top = stack.pop()
        if not _keep(t, top) or (exclude is not None and t.i == exclude.i):
            continue
        out.append(t)
        stack.extend((c, False) for c in t.children)
    out.sort(key=lambda t: t.i)
    return _tidy(out)


def _tidy(toks: list) -> list:
    """Drop punctuation left dangling at the edges or next to a removed part; unbalanced quotes."""
    kept = {t.i for t in toks}
    out = []
    for t in toks:
        if t.text in EDGE_PUNCT and (t.i - 1 not in kept or t.i + 1 not in kept):
            kept.discard(t.i)
            continue
        out.append(t)
    changed = True
    while out and changed:
        changed = False
        if out and (out[0].text in EDGE_PUNCT or out[0].text in CLOSE_QUOTES and out[0].text not in OPEN_QUOTES):
            out, changed = out[1:], True
        if out and (out[-1].text in EDGE_PUNCT or out[-1].text in OPEN_QUOTES and out[-1].text not in CLOSE_QUOTES):
            out, changed = out[:-1], True
        if out:
            n_open = sum(t.text in ("``", "`") for t in out)
            n_close = sum(t.text in ("''", "'") and t.tag_ != "POS" for t in out)
            if n_open > n_close and out[0].text in ("``", "`"):
                out, changed = out[1:], True
            elif n_close > n_open and out[-1].text in ("''", "'") and out[-1].tag_ != "POS":
                out, changed = out[:-1], True
    return out


def _text(toks) -> str:
    return " ".join(t.text for t in toks)


def _arg_text(tok, exclude=None) -> str:
    """An argument's text; ``exclude``: a clause inside it that is being rendered (its verb)."""
    return _text(_arg_tokens(_antecedent(tok), exclude))


def _pp_text(prep) -> str:
    """A prepositional phrase as an argument: "in January 2005"."""
    toks = [prep]
    for c in prep.children:
        if c.dep_ in ("pobj", "pcomp", "prep"):
            toks.extend(_arg_tokens(c) if c.dep_ == "pobj" else [t for t in c.subtree])
    toks.sort(key=lambda t: t.i)
    toks = _tidy(toks)
    return _text(toks) if len(toks) > 1 else ""


# ------------------------------------------------------------------ relation phrase
def _verb_group(v, aux) -> list:
    """Auxiliaries, negation, adverbs inside the group ("has also been"), the verb, its particle."""
    toks = [t for t in aux if t.i < v.i] + [v]
    first = min(t.i for t in toks)
    for c in v.children:
        if c.dep_ in ("advmod", "neg") and c.i < v.i and c not in toks and not list(c.children) \
                and c.tag_ not in ("WRB",) and (c.i > first or c.i == v.i - 1):
            toks.append(c)
        elif c.dep_ == "prt":
            toks.append(c)
    toks.sort(key=lambda t: t.i)
    return toks


# ------------------------------------------------------------------ tuples from verb clauses
@dataclass
class _Frame:
    """A clause in surface order: who (arg1), the relation tokens, the complements."""

    clause: Clause
    subjects: list
    rel: list
    core: list  # (kind, token) : the first complement, joined to the relation when a PP
    extra: list  # further complements (prep tokens, temporal nouns...)
    rule: str
    inherited: bool


def _surface_frame(c: Clause, by_verb: dict) -> _Frame | None:
    v = c.verb
    if v.dep_ in ("amod", "compound", "nmod"):
        return None  # "surviving members", "a founding justice": a modifier, not a clause
    # the clause's objects in surface terms: direct objects and predicate nouns; a passive's
    # patients are its surface subject; an indirect object ("gave her a book") is an extra argument
    direct, indirect = [], []
    for ch in v.children:
        if ch.dep_ in OBJ_DEPS or (ch.dep_ == "attr" and v.lemma_ == "be"):
            direct.extend(conjuncts(ch))
        elif ch.dep_ == "dative":
            indirect.extend(conjuncts(ch))
    if c.passive:
        subjects = [o for o in c.objects if o not in direct and o not in indirect]
    else:
        subjects = list(c.subjects)
    objects = [o for o in c.objects if o in direct]
    inherited = c.inherited_subject
    rule = "passive" if c.passive else "svo"
    # a subject taken over through an adjective: "they were unable to see each other"
    if not subjects and v.dep_ == "xcomp" and v.head.dep_ == "acomp" and v.head.head.i in by_verb:
        hc = by_verb[v.head.head.i]
        subjects, inherited = list(hc.subjects), True
    # participial modifier with a passive sense: "a plan drafted by X" -> the plan is the patient
    if not subjects and v.dep_ == "acl" and v.tag_ == "VBN":
        subjects, rule, inherited = [_predicative(v.head)], "participle", True
    # ... and one conjoined with it: "a law drafted by X and signed in 2001"
    if not subjects and v.dep_ == "conj" and v.tag_ == "VBN" and v.head.dep_ == "acl" and v.head.tag_ == "VBN":
        subjects, rule, inherited = [_predicative(v.head.head)], "participle", True
    if not subjects:
        return None
    rel = _verb_group(v, c.aux)
    extra = []
    # control verbs: "X wants to buy Y" -> relation "wants to buy"
    if v.dep_ == "xcomp" and v.head.pos_ in ("VERB", "AUX") and v.head.i in by_verb and inherited:
        head = by_verb[v.head.i]
        if not any(ch.dep_ in OBJ_DEPS for ch in v.head.children):
            rel = _verb_group(head.verb, head.aux) + rel
            rule = "control"
    core = []
    for o in objects:
        core.append(("np", o))
    if not core:
        for ch in v.children:
            if ch.dep_ in ("attr", "oprd"):  # "became a judge", "was named chairman"
                core.extend(("np", x) for x in conjuncts(ch))
            elif ch.dep_ == "acomp":
                core.append(("adj", ch))
            elif ch.dep_ == "ccomp":  # "X said that S", and "S , X said"
                core.append(("clause", ch))
            elif ch.dep_ == "xcomp" and ch.pos_ in ("NOUN", "PROPN", "ADJ", "NUM"):
                core.append(("np", ch))
    for ch in v.children:
        if ch.dep_ in ("prep", "agent", "dative") and not (ch.dep_ == "dative" and ch.pos_ != "ADP"):
            extra.append(("pp", ch))
        elif ch.dep_ == "dative" or (ch.dep_ == "oprd" and objects):
            extra.append(("np", ch))
        elif ch.dep_ in ("npadvmod", "tmod") or (ch.dep_ in ("advmod",) and ch.ent_type_ in TEMPORAL_ENTS):
            extra.append(("np", ch))
    extra.sort(key=lambda k: k[1].i)
    return _Frame(c, subjects, rel, core, extra, rule, inherited)


def _frame_tuples(f: _Frame, si: int, vocab) -> list[OpenIETuple]:
    out = []
    v = f.clause.verb
    # the first complement: a direct object, or the first prepositional phrase after the verb
    pps = [p for k, p in f.extra if k == "pp"]
    rel_prep = None
    cores = list(f.core)
    extra = list(f.extra)
    if not cores:
        after = [p for p in pps if p.i > v.i and _pp_obj(p) is not None]
        if after:
            rel_prep = after[0]
            extra = [e for e in extra if e[1].i != rel_prep.i]
            cores = [("np", o) for o in _pp_obj_conjuncts(rel_prep)]
    adj_prep = None
    if len(cores) == 1 and cores[0][0] == "adj":
        adj = cores[0][1]
        ap = [c for c in adj.children if c.dep_ == "prep" and _pp_obj(c) is not None]
        if ap:
            adj_prep = (adj, ap[0])
            cores = [("np", o) for o in _pp_obj_conjuncts(ap[0])]
    extra_texts = []
    for kind, tok in extra:
        t = _pp_text(tok) if kind == "pp" else _arg_text(tok)
        if t:
            extra_texts.append(t)
    rel_toks = list(f.rel)
    for s in f.subjects:
        a1 = _arg_text(s, exclude=v)
        if not a1:
            continue
        rel = _text(rel_toks)
        if f.rule == "participle":
            rel = f"{IMPLIED_BE} {rel}"
        if adj_prep:
            adj, p = adj_prep
            adj_toks = [t for t in adj.subtree if t.i < p.i and t.i >= adj.left_edge.i]
            rel = f"{rel} {_text(adj_toks)} {p.text}"
        if rel_prep is not None:
            rel = f"{rel} {rel_prep.text}"
        if not cores:
            if extra_texts:
                out.append(_make(f, si, rel, [a1, *extra_texts]))
            continue
        for kind, o in cores:
            r = rel
            if kind == "clause":
                a2 = _text(_tidy(list(o.subtree)))
            elif o.dep_ == "attr" and (of := _of_phrase(o)) is not None:
                # "X became a founding justice of the court" -> (X; became a founding justice of; the court)
                r = f"{rel} {_text([t for t in _arg_tokens(o) if t.i < of.i])} of"
                a2 = _arg_text(_pp_obj(of))
            else:
                a2 = _arg_text(o)
            if not a2 or a2 == a1:
                continue
            out.append(_make(f, si, r, [a1, a2, *extra_texts]))
    return out


def _pp_obj(prep):
    """The object of a preposition (or the clause in its place), if any."""
    objs = objects_of(prep, PREP_COMPLEMENTS)
    return objs[0] if objs else None


def _of_phrase(noun):
    """The "of" phrase of a noun ("the mayor of Leeds"), if any."""
    return next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" and _pp_obj(c) is not None), None)


def _pp_obj_conjuncts(prep):
    o = _pp_obj(prep)
    return [] if o is None else conjuncts(o)


def _make(f: _Frame, si: int, rel: str, args: list[str]) -> OpenIETuple:
    conf = _confidence(f.rule, f.clause.verb, args, inherited=f.inherited)
    return OpenIETuple(si, rel, tuple(args), conf, f.clause.negated, f.rule)


# ------------------------------------------------------------------ tuples from noun phrases
def _apposition_tuples(sent, si: int) -> list[OpenIETuple]:
    """"X , a Y" -> (X; be; a Y). A name is the subject of the description it stands next to."""
    out = []
    for tok in sent:
        head = tok.head
        if tok.dep_ != "appos" or head.pos_ not in ("NOUN", "PROPN") or tok.pos_ not in ("NOUN", "PROPN"):
            continue
        if {tok.ent_type_, head.ent_type_} & {"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY"}:
            continue  # "November 12 , 1960", "$ 5 , a share"
        if any(t.pos_ in ("VERB", "AUX") and any(c.dep_ in SUBJ_DEPS for c in t.children) for t in tok.subtree):
            continue  # a clause parsed as an apposition
        a, b = head, tok
        if tok.pos_ == "PROPN" and head.pos_ == "NOUN":
            a, b = tok, head  # "the company's chairman, John Smith" -> (John Smith; be; the company's chairman)
        t1, t2 = _arg_text(a), _arg_text(b)
        rel = IMPLIED_BE
        if head.ent_type_ in PLACE_ENTS and tok.ent_type_ in ("GPE",) and head.i < tok.i:
            rel = f"{IMPLIED_BE} in"  # "Salem , Oregon" -> (Salem; be in; Oregon)
        of = _of_phrase(b) if b.pos_ == "NOUN" else None
        if of is not None:  # "X , the mayor of Z" -> (X; be the mayor of; Z)
            rel = f"{IMPLIED_BE} {_text([t for t in _arg_tokens(b) if t.i < of.i])} of"
            t2 = _arg_text(_pp_obj(of))
        if t1 and t2 and t1 != t2:
            conf = _confidence("apposition", head, [t1, t2])
            out.append(OpenIETuple(si, rel, (t1, t2), conf, False, "apposition"))
    return out


def _title_tuples(sent, si: int, vocab) -> list[OpenIETuple]:
    """"former U.S. Attorney Todd Graves" -> (Todd Graves; be; former U.S. Attorney): the words
    written before a name, inside its noun phrase, describe the named one."""
    out = []
    honorifics = vocab.word_set("honorifics")
    for ent in sent.ents:
        if ent.label_ not in TITLE_ENTS:
            continue
        head = ent.root
        if head.pos_ != "PROPN" or not (ent.start <= head.i < ent.end):
            continue
        pre = [t for c in head.children if c.i < ent.start and c.dep_ in ("compound", "amod", "nmod")
               for t in c.subtree]
        pre = _tidy(sorted(pre, key=lambda t: t.i))
        if not pre or pre[-1].i != ent.start - 1 or not any(
                t.pos_ in ("NOUN", "PROPN") and t.lower_ not in honorifics for t in pre):
            continue
        if any(t.ent_type_ == ent.label_ for t in pre):
            continue
        args = [ent.text, _text(pre)]
        out.append(OpenIETuple(si, IMPLIED_BE, tuple(args), _confidence("title", head, args), False, "title"))
    return out


TITLE_ENTS = ("PERSON", "ORG")
PLACE_ENTS = ("GPE", "LOC", "FAC", "ORG")
NOUN_PP = ("in", "at", "near", "from")
NOUN_PP_HEADS = ("PROPN", "NOUN")


def _noun_pp_tuples(sent, si: int) -> list[OpenIETuple]:
    """"the Usher Hall in Edinburgh" -> (the Usher Hall; be in; Edinburgh)."""
    out = []
    for tok in sent:
        if tok.pos_ not in NOUN_PP_HEADS:
            continue
        for p in tok.children:
            if p.dep_ != "prep" or p.lower_ not in NOUN_PP:
                continue
            o = _pp_obj(p)
            if o is None or o.pos_ not in NOUN_PP_HEADS:
                continue
            a1 = _text(_tidy([t for t in _arg_tokens(tok) if t.i not in {x.i for x in p.subtree}]))
            a2 = _arg_text(o)
            if a1 and a2:
                args = [a1, a2]
                out.append(OpenIETuple(si, f"{IMPLIED_BE} {p.lower_}", tuple(args),
                                       _confidence("noun-pp", tok, args), False, "noun-pp"))
    return out


# ------------------------------------------------------------------ confidence
RULE_BASE = {"svo": 0.8, "passive": 0.8, "control": 0.8, "participle": 0.65, "apposition": 0.65, "title": 0.6,
             "noun-pp": 0.45}
DEFAULT_BASE = 0.6  # a rule not in RULE_BASE
W_DEPTH = 0.07  # per level of clause embedding (at most MAX_DEPTH)
MAX_DEPTH = 3
W_PCOMP = 0.15  # a verb under a preposition ("by allowing X"): its subject is a guess
W_INHERITED = 0.05  # subject taken over from another verb (coordination, control, relative clause)
W_LONG_SUBJ = 0.1  # a subject of more than LONG_SUBJ_WORDS words: often a mis-attached phrase
LONG_SUBJ_WORDS = 7
CONF_MIN, CONF_MAX, CONF_DIGITS = 0.05, 0.99, 2
CLAUSE_DEPS = {"ccomp", "advcl", "relcl", "acl", "pcomp", "csubj", "xcomp", "conj", "parataxis"}


def _depth(tok) -> int:
    """How many clauses deep a verb sits: 0 for the main verb; parses of embedded clauses
    (and the tuples CaRB-style annotators write for them) are less reliable."""
    depth, h = 0, tok
    while h.head.i != h.i:
        if h.dep_ in CLAUSE_DEPS:
            depth += 1
        h = h.head
    return depth


def _confidence(rule: str, tok, args, *, inherited: bool = False) -> float:
    """A score from the rule and the parse: the rule's base, lowered for an embedded clause, a
    subject taken over from another verb and a long subject."""
    score = RULE_BASE.get(rule, DEFAULT_BASE)
    score -= W_DEPTH * min(_depth(tok), MAX_DEPTH)
    if tok.dep_ == "pcomp":
        score -= W_PCOMP
    if inherited:
        score -= W_INHERITED
    if len(args[0].split()) > LONG_SUBJ_WORDS:
        score -= W_LONG_SUBJ
    return round(max(CONF_MIN, min(CONF_MAX, score)), CONF_DIGITS)


# ------------------------------------------------------------------ entry point
def openie_tuples(doc, vocab: Vocabulary | None = None, whole: bool = False) -> list[OpenIETuple]:
    """n-ary surface extractions (relation, arg1, arg2, extra args) with confidences.

    ``whole``: treat the doc as one sentence (CaRB gives one sentence per line, which the
    parser may split)."""
    vocab = vocab or load_vocabulary()
    out: list[OpenIETuple] = []
    for si, sent in enumerate([doc[:]] if whole else doc.sents):
        cls = clauses(sent, vocab)
        by_verb = {c.verb.i: c for c in cls}
        frames = [f for f in (_surface_frame(c, by_verb) for c in cls) if f is not None]
        # a control verb whose complement took over its relation adds nothing on its own
        absorbed = {f.clause.verb.head.i for f in frames if f.rule == "control"}
        for f in frames:
            if f.clause.verb.i in absorbed and not f.core:
                continue
            out.extend(_frame_tuples(f, si, vocab))
        out.extend(_apposition_tuples(sent, si))
        out.extend(_noun_pp_tuples(sent, si))
        out.extend(_title_tuples(sent, si, vocab))
    seen = set()
    uniq = []
    for t in out:
        key = (t.sent, t.relation, t.args)
        if key not in seen:
            seen.add(key)
            uniq.append(t)
    return uniq


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
                       "args": list(t.args), "negated": t.negated, "rule": t.rule}, ensure_ascii=False) + "\n"


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

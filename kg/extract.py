"""Extraction: a parsed spaCy ``Doc`` -> mentions, relations, quotations, OpenIE tuples.

One clause analysis (:func:`clauses`) feeds both outputs: the knowledge-graph
relations (normalised through data/relations.yaml) and the OpenIE tuples of
``kg openie``. Every rule reads its words from data/ (see :mod:`kg.vocab`).

Mentions refer to each other by id (pronouns and descriptions carry an
``antecedent``); turning mentions into entities is :mod:`kg.resolve`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import NEGATIVE, POSITIVE, Article
from .vocab import Vocabulary, load_vocabulary

NER_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"}
SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
OBJ_DEPS = {"dobj", "obj"}
QUOTE_CHARS = {'"', "``", "''"}
_POSSESSIVES = ("its", "their", "his", "her", "our")


# ------------------------------------------------------------------ records
@dataclass(frozen=True)
class Mention:
    id: int
    text: str  # as written (possessive dropped)
    name: str  # cleaned: no determiner, title or honorific
    label: str  # NER label, or CONCEPT, PRON, DESC, WE
    start: int  # char offsets in the article text
    end: int
    sent: int
    antecedent: int | None = None  # pronouns/descriptions: the mention they refer to
    title: str | None = None  # role predicate of a title written with the name
    actor: bool = False  # grammatical agent (subject/possessor/by-agent)
    dep: str = ""  # dependency label of the mention's head
    main_clause: bool = False  # the head is the subject/object of the sentence's main verb
    locative: bool = False  # used as a place: "in Moscow", "a trip to Moscow", "visited Moscow"
    surname: str = ""


@dataclass(frozen=True)
class RawRelation:
    subj: int
    pred: str
    obj: int
    sent: int
    trigger: str
    polarity: str = POSITIVE
    modality: str = "asserted"
    speaker: int | None = None
    confidence: float = 0.5
    rule: str = ""
    alternatives: tuple[str, ...] = ()  # other predicates of the same verb; resolve keeps the first
    # whose subject/object types fit ("fired a missile" launches, "fired the minister" dismisses)


@dataclass(frozen=True)
class RawQuote:
    text: str
    start: int
    end: int
    sent_start: int  # char span of the sentence(s) holding the quote
    sent_end: int
    speaker: int | None
    verb: str = "said"


@dataclass(frozen=True)
class DocExtraction:
    article: Article
    sentences: tuple[tuple[int, int], ...]
    mentions: tuple[Mention, ...]
    relations: tuple[RawRelation, ...]
    quotes: tuple[RawQuote, ...]
    titles: tuple[tuple[int, str, int, str], ...] = ()  # titles written with no organisation


@dataclass
class Clause:
    """What the dependency parse says about one verb."""

    verb: object  # spaCy Token
    subjects: list = field(default_factory=list)  # tokens
    objects: list = field(default_factory=list)  # direct objects (or passive patients)
    preps: list = field(default_factory=list)  # (preposition lemma, prep token, pobj token)
    particle: str = ""
    passive: bool = False
    negated: bool = False
    modality: str = "asserted"
    inherited_subject: bool = False
    aux: list = field(default_factory=list)


# ------------------------------------------------------------------ clause analysis (shared)
def _conjuncts(tok):
    return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]


def _is_negated(tok, vocab: Vocabulary) -> bool:
    neg_words = vocab.word_set("negation_words")
    for c in tok.children:
        if c.dep_ == "neg" or (c.dep_ in ("advmod", "det", "preconj") and c.lower_ in neg_words and c.lower_ not in ("no", "without")):
            return True
    return False


def _evidential_negation(verb, vocab: Vocabulary) -> bool:
    """``we have seen no signs that they supplied weapons`` -> supplied is negated."""
    evid = vocab.word_set("evidential_nouns")
    tok = verb
    for _ in range(4):
        if tok.dep_ not in ("acl", "ccomp", "conj", "relcl", "advcl", "xcomp") or tok.head.i == tok.i:
            return False
        head = tok.head
        if head.lower_ in evid or head.lemma_.lower() in evid:
            if any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in head.children):
                return True
            # "haven't seen any indications that ..." : the noun's governing verb is negated
            for h in _conjuncts_up(head):
                if h.pos_ in ("VERB", "AUX") and _is_negated(h, vocab):
                    return True
            for c in head.children:
                if c.dep_ == "conj":
                    pass
        tok = head
    return False


def _conjuncts_up(tok):
    seen = [tok.head]
    h = tok.head
    while h.dep_ == "conj" and h.head.i != h.i:
        h = h.head
        seen.append(h)
    return seen


def _modality(verb, vocab: Vocabulary) -> str:
    aux_words, verb_words, adverbs = vocab.modality_words
    qmarks = vocab.word_set("question_marks")
    for c in verb.children:
        if c.dep_ == "aux" and c.lower_ in aux_words:
            return aux_words[c.lower_]
        if c.dep_ == "advmod" and c.lower_ in adverbs:
            return adverbs[c.lower_]
        if c.dep_ == "mark" and c.lower_ in qmarks:
            return "questioned"
    tok = verb
    for _ in range(3):
        if tok.dep_ in ("xcomp", "ccomp") and tok.head.i != tok.i:
            head = tok.head
            lemma = verb_lemma(head, verb_words)
            if lemma in verb_words and not (lemma in ("expect",) and tok.dep_ == "ccomp"):
                m = verb_words[lemma]
                if m != "possible" or tok.dep_ == "xcomp":
                    return m
            tok = head
        else:
            break
    return "asserted"


def verb_lemma(tok, known) -> str:
    """The token's lemma, or a form of its text found in ``known`` when spaCy's
    lemmatizer slips ("hopes" -> "hop")."""
    lemma = tok.lemma_.lower()
    if lemma in known:
        return lemma
    low = tok.lower_
    for form in (low, low[:-1] if low.endswith("s") else None, low[:-1] if low.endswith("d") else None,
                 low[:-2] if low.endswith(("es", "ed")) else None, low[:-3] if low.endswith("ing") else None):
        if form and form in known:
            return form
    return lemma


def _subjects(verb, vocab: Vocabulary) -> tuple[list, bool]:
    subs = [c for c in verb.children if c.dep_ in SUBJ_DEPS]
    if subs:
        out = []
        for s in subs:
            out.extend(_conjuncts(s))
        return out, False
    if verb.dep_ == "relcl":  # "the United States, which leads the coalition"
        return [verb.head], True
    if verb.dep_ in ("xcomp", "advcl") and verb.head.i != verb.i:
        head = verb.head
        if verb.dep_ == "xcomp" and head.lemma_.lower() in vocab.word_set("object_control_verbs"):
            dobj = [c for c in head.children if c.dep_ in OBJ_DEPS]
            if dobj:
                return dobj[:1], True
        if verb.dep_ == "advcl" and not (verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to"
                                                                    for c in verb.children)):
            return [], False  # a finite adverbial clause without its own subject: unknown
        s, _ = _subjects(head, vocab)
        return s, True
    if verb.dep_ == "conj" and verb.head.i != verb.i and verb.head.pos_ in ("VERB", "AUX"):
        s, _ = _subjects(verb.head, vocab)
        return s, True
    if verb.dep_ == "acl" and (verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)):
        return [verb.head], True  # "a coalition delivering arms", "a coalition to arm Ukraine"
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.head.i != verb.head.i:
        gov = verb.head.head  # "leads the coalition in delivering arms": the governing clause's subject
        while gov.pos_ not in ("VERB", "AUX") and gov.head.i != gov.i:  # (tokens are new objects: no `is`)
            gov = gov.head
        if gov.pos_ in ("VERB", "AUX"):
            s, _ = _subjects(gov, vocab)
            return s, True
    return [], False


def _heads_clause(pos: str, dep: str) -> bool:
    """A verb, or an auxiliary that is not helping another verb ("is" in "X is Y")."""
    return pos == "VERB" or (pos == "AUX" and dep not in ("aux", "auxpass"))


def clauses(sent, vocab: Vocabulary, table: _Table | None = None) -> list[Clause]:
    """One :class:`Clause` per verb of a sentence (spaCy ``Span``); ``table``, the doc's
    :class:`_Table` if the caller has one, finds the verbs without making every Token."""
    out = []
    if table is not None:
        doc = sent.doc
        verbs = (doc[i] for i in range(sent.start, sent.end) if _heads_clause(table.pos[i], table.dep[i]))
    else:
        verbs = (v for v in sent if _heads_clause(v.pos_, v.dep_))
    for v in verbs:
        c = Clause(verb=v)
        c.subjects, c.inherited_subject = _subjects(v, vocab)
        c.passive = any(ch.dep_ in ("nsubjpass", "auxpass") for ch in v.children)
        for ch in v.children:
            if ch.dep_ in OBJ_DEPS or (ch.dep_ == "attr" and v.lemma_ == "be"):
                c.objects.extend(_conjuncts(ch))
            elif ch.dep_ == "prt":
                c.particle = ch.lower_
            elif ch.dep_ == "dative" and ch.pos_ in ("PROPN", "NOUN", "PRON"):
                c.preps.append(("to", ch, ch))  # "gave Ukraine weapons": the recipient, like "to Ukraine"
            elif ch.dep_ in ("prep", "agent", "dative"):
                pobjs = [g for g in ch.children if g.dep_ in ("pobj", "pcomp")]
                for p in pobjs:
                    for pc in _conjuncts(p):
                        c.preps.append((ch.lemma_.lower(), ch, pc))
            elif ch.dep_ in ("aux", "auxpass", "neg"):
                c.aux.append(ch)
        if c.passive:
            # a subject taken over from another verb is this passive's patient too
            # ("X grows well and can be used as Y", "X wants to be elected")
            patients = [s for s in c.subjects if s.dep_ in ("nsubjpass", "conj") or c.inherited_subject]
            agents = [p for prep, tok, p in c.preps if tok.dep_ == "agent"]
            c.objects = patients + c.objects
            c.subjects = agents
            c.preps = [x for x in c.preps if x[1].dep_ != "agent"]
        c.negated = _is_negated(v, vocab) or _evidential_negation(v, vocab)
        # "do not plan to speak" negates the complement too
        if not c.negated and v.dep_ == "xcomp" and _is_negated(v.head, vocab):
            c.negated = True
        c.modality = _modality(v, vocab)
        out.append(c)
    return out


def rel_phrase(c: Clause) -> str:
    v = c.verb
    words = [t for t in c.aux if t.i < v.i] + [v]
    if c.particle:
        words += [t for t in v.children if t.dep_ == "prt"]
    words.sort(key=lambda t: t.i)
    return " ".join(t.text for t in words)



# ------------------------------------------------------------------ the extractor
class Extractor:
    """Runs all rules over one parsed article."""

    def __init__(self, vocab: Vocabulary | None = None, gazetteer=None):
        self.vocab = vocab or load_vocabulary()
        if gazetteer is None:
            from .gazetteer import get_gazetteer

            gazetteer = get_gazetteer()
        self.gaz = gazetteer
        lx = self.vocab
        self.honorifics = lx.word_set("honorifics")
        self.pronouns = {k.lower(): v for k, v in lx.lexicon["pronouns"].items()}
        self.speech = lx.word_set("speech_verbs")
        self.stop_concepts = lx.word_set("stop_concepts")
        self.concept_strip = lx.word_set("concept_strip")
        self.transparent = {k.lower(): v for k, v in lx.lexicon["transparent_nouns"].items()}
        self.light = lx.word_set("light_verbs")
        self.org_nouns = lx.word_set("organization_nouns")
        self.state_nouns = lx.word_set("state_nouns")
        self.future = lx.word_set("future_words")
        self.locative_preps = lx.word_set("locative_prepositions")
        self.travel_verbs = frozenset(v for v, p in lx.verbs.items() if p == "visits") | lx.word_set("travel_verbs")
        self._strings: dict[int, str] = {}  # spaCy string hash -> string, shared by the docs' tables

    # -------------------------------------------------------------- entry point
    def extract(self, doc, article: Article) -> DocExtraction:
        st = _State(doc, article, self._strings)
        st.sents = list(doc.sents)
        st.sent_of = {}
        for si, s in enumerate(st.sents):
            for i in range(s.start, s.end):
                st.sent_of[i] = si
        self._named_mentions(st)
        self._quotes(st)
        self._roles(st)
        self._pronouns(st)
        for si, sent in enumerate(st.sents):
            for c in clauses(sent, self.vocab, st.table):
                self._verb_relations(st, c)
            self._nominal_relations(st, sent)
        mentions = tuple(st.mentions)
        text = st.table.text
        return DocExtraction(
            article,
            tuple(_trimmed(text[s.start_char:s.end_char], s.start_char, s.end_char) for s in st.sents),
            mentions,
            tuple(_dedupe(st.relations)),
            tuple(st.quotes_out),
            tuple(st.title_only),
        )

    # -------------------------------------------------------------- mentions
    def _add(self, st, start_tok: int, end_tok: int, label: str, **kw) -> Mention:
        doc = st.doc
        span = doc[start_tok:end_tok]
        text = span.text
        name = kw.pop("name", None) or text
        kw.setdefault("dep", span.root.dep_)
        head = span.root.head
        kw.setdefault("main_clause", head.dep_ == "ROOT" or (head.dep_ == "conj" and head.head.dep_ == "ROOT"))
        kw.setdefault("locative", self._is_locative(span.root))
        m = Mention(len(st.mentions), text, name, label, span.start_char, span.end_char,
                    st.sent_of.get(start_tok, 0), **kw)
        st.mentions.append(m)
        for i in range(start_tok, end_tok):
            st.tok2m.setdefault(i, m.id)
        return m

    def _named_mentions(self, st) -> None:
        doc = st.doc
        for ent in doc.ents:
            if ent.label_ not in NER_LABELS:
                continue
            s, e = ent.start, ent.end
            # drop determiners, possessives and punctuation at the edges
            while s < e and (doc[s].lower_ in ("the", "a", "an") or doc[s].is_punct):
                s += 1
            while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct or doc[e - 1].lower_ in ("'s", "’s")):
                e -= 1
            # NER sometimes runs a name into a following amount ("Apple 1.8 billion euros")
            for j in range(s + 1, e):
                if doc[j].like_num or doc[j].tag_ == "$":
                    e = j
                    break
            # titles and honorifics written inside the entity ("President Xi")
            title = None
            words = [t.lower_ for t in doc[s:e]]
            i = 0
            while i < len(words) - 1:
                hit = self.vocab.title_at(words, i)
                if hit:
                    title = title or hit[0]
                    i += hit[1]
                elif words[i] in self.honorifics or words[i].rstrip(".") in self.honorifics:
                    i += 1
                else:
                    break
            s += i
            if s >= e:
                continue
            name = doc[s:e].text
            label = ent.label_
            if label in ("ORG", "GPE") and e - s <= 2 and s >= 2:
                # "Secretary of State" is a title, not the organisation "State"
                words = [t.lower_ for t in doc[max(0, s - 3) : e]]
                hit = self.vocab.title_of(words)
                if hit and hit[1] > e - s:
                    continue
            if label == "ORG" and self._looks_like_person(doc[s:e], doc[s - 1] if s > 0 else None):
                label = "PERSON"
            if label == "PERSON" and doc[e - 1].text.endswith(("'s", "’s")):
                name = name[:-2]
            self._add(st, s, e, label, name=name, title=title, actor=_is_actor(doc[s:e].root),
                      surname=doc[e - 1].text if label == "PERSON" else "")
        # a person's name NER missed where it found it elsewhere in the article
        names = {}
        for m in st.mentions:
            if m.label == "PERSON":
                ws = tuple(m.name.split())
                names[ws] = True
                if len(ws) >= 2:
                    names[ws[-1:]] = True
        tb, n_tok = st.table, len(doc)
        if names:
            for i in range(n_tok):
                if i in st.tok2m or tb.pos[i] != "PROPN":
                    continue
                for n in (3, 2, 1):
                    if i + n <= n_tok and not any(j in st.tok2m for j in range(i, i + n)) \
                            and tuple(tb.orth[i:i + n]) in names:
                        span = doc[i:i + n]
                        self._add(st, i, i + n, "PERSON", actor=_is_actor(span.root), surname=tb.orth[i + n - 1])
                        break
        # gazetteer names spaCy's NER missed ("the Kremlin", "PRC")
        sent_starts = {s.start for s in st.sents}
        for i in range(n_tok):
            if i in st.tok2m or not (tb.is_title[i] or tb.is_upper[i]) or tb.is_punct[i]:
                continue
            for n in (3, 2, 1):
                if i + n > n_tok or any(j in st.tok2m for j in range(i, i + n)):
                    continue
                if n == 1 and i in sent_starts and tb.is_title[i] and tb.pos[i] != "PROPN":
                    continue
                if tb.pos[i] not in ("PROPN", "NOUN") and not tb.is_upper[i]:
                    continue
                hit = self.gaz.lookup(tb.span_text(i, i + n))
                if hit is not None and hit.type != "Person":
                    label = {"Country": "GPE", "City": "GPE"}.get(hit.type, "ORG")
                    self._add(st, i, i + n, label, actor=_is_actor(doc[i:i + n].root))
                    break

    def _is_locative(self, tok) -> bool:
        """A place reading: object of a locative preposition, or of a travel verb."""
        while tok.dep_ == "conj" and tok.head.i != tok.i:
            tok = tok.head
        if tok.dep_ == "pobj":
            return tok.head.lower_ in self.locative_preps
        if tok.dep_ in ("dobj", "obj"):
            return verb_lemma(tok.head, self.vocab.verbs) in self.travel_verbs
        return tok.dep_ in ("npadvmod",)

    def _looks_like_person(self, span, before) -> bool:
        """An ORG-tagged "Firstname Lastname" that speaks or bears an honorific is a person."""
        if not 2 <= len(span) <= 3 or not all(t.pos_ == "PROPN" and t.is_title for t in span):
            return False
        if any(t.lower_ in self.org_nouns for t in span) or self.gaz.lookup(span.text) is not None:
            return False
        if before is not None and before.lower_.rstrip(".") in {h.rstrip(".") for h in self.honorifics}:
            return True
        root = span.root
        return root.dep_ == "nsubj" and root.head.lemma_.lower() in self.speech

    # -------------------------------------------------------------- quotations
    def _quotes(self, st) -> None:
        doc = st.doc
        spans = []  # (open_tok, close_tok)
        open_i = None
        orth, tb = st.table.orth, st.table
        for i in range(len(doc)):
            text = orth[i]
            if text in QUOTE_CHARS:
                # '"' opens or closes; PTB-style `` only opens and '' only closes
                if open_i is None and text != "''":
                    open_i = i
                elif open_i is not None and text != "``":
                    spans.append((open_i, i))
                    open_i = None
            elif open_i is not None and "\n\n" in tb.space_before(i) + text and i - 1 > open_i:
                # a quotation left open at a paragraph end closes there (news style)
                spans.append((open_i, i - 1))
                open_i = None
        if open_i is not None and len(doc) - open_i > 2:
            spans.append((open_i, len(doc) - 1))
        for a, b in spans:
            inner = doc[a + 1 : b]
            if len(inner) < 2:
                continue
            for i in range(a, b + 1):
                st.in_quote[i] = len(st.quote_spans)
            st.quote_spans.append((a, b))

    def _speaker_for_quote(self, st, qi: int):
        """The mention id of whoever said quotation ``qi`` and the speech verb."""
        doc = st.doc
        a, b = st.quote_spans[qi]
        s_first, s_last = st.sent_of[a], st.sent_of[max(a, b)]
        # the speech verb may sit in the sentence of the quote, or the next one when the
        # quotation fills a sentence of its own ('"...," he said.' splits oddly)
        cands = []
        for si in range(max(0, s_first - 0), min(len(st.sents), s_last + 1)):
            for t in st.sents[si]:
                if st.in_quote.get(t.i) == qi:
                    continue
                if t.lemma_.lower() in self.speech and t.pos_ in ("VERB", "AUX"):
                    cands.append(t)
                if t.lower_ == "according" and t.nbor(1).lower_ == "to" if t.i + 1 < len(doc) else False:
                    cands.append(t)
        best = None
        for v in sorted(cands, key=lambda t: min(abs(t.i - a), abs(t.i - b))):
            if v.lower_ == "according":
                pobj = [g for g in v.nbor(1).children if g.dep_ == "pobj"] or [v.nbor(2)] if v.i + 2 < len(doc) else []
                subj = pobj[:1]
            else:
                subj = [c for c in v.children if c.dep_ in ("nsubj",)]
            if subj and st.in_quote.get(subj[0].i) != qi:
                raw = st.tok2m.get(subj[0].i)
                if raw is not None and st.mentions[raw].label == "PRON":
                    best = (raw, v.lower_)  # resolved by the caller, preferring the last speaker
                else:
                    best = (self._mention_at(st, subj[0]), "said" if v.lower_ == "according" else v.lower_)
                if best[0] is not None:
                    return best
        return best or (None, None)

    # -------------------------------------------------------------- coreference
    def _pronouns(self, st) -> None:
        """Resolve pronouns, descriptions and quotation speakers in text order."""
        doc = st.doc
        vocab = self.vocab
        quote_speaker: dict[int, int | None] = {}
        # pronoun mentions first, so that quotation speakers can be pronouns
        tb = st.table
        for i in range(len(doc)):
            low = tb.lower[i]
            if i in st.tok2m or not (low == "the" or low in self.pronouns or low in _POSSESSIVES):
                continue
            info = self.pronouns.get(low)
            if info and tb.pos[i] == "PRON" or (low in _POSSESSIVES and tb.tag[i] == "PRP$"):
                self._add(st, i, i + 1, "PRON")
            elif low == "the" and tb.pos[tb.head[i]] == "NOUN" and tb.head[i] == i + 1 or (
                    low == "the" and i + 2 < len(doc) and tb.head[i] == i + 2):
                t = doc[i]
                words = [x.lower_ for x in doc[t.i + 1 : t.head.i + 1]]
                hit = vocab.title_of(words) if words else None
                if hit and hit[1] == len(words) and not any(c.dep_ == "prep" for c in t.head.children):
                    self._add(st, t.i, t.head.i + 1, "DESC", title=hit[0], name=" ".join(words))
        # walk mentions and quotations in text order
        events = [("m", m.start, m.id) for m in st.mentions] + [
            ("q", doc[a].idx, qi) for qi, (a, b) in enumerate(st.quote_spans)]
        events.sort(key=lambda e: (e[1], e[0] == "m"))
        resolved: dict[int, int | None] = {}
        last_person = []  # mention ids of persons in order

        def final(mid):
            seen = set()
            while mid is not None and mid in resolved and mid not in seen:
                seen.add(mid)
                if resolved[mid] is None:
                    return None
                if resolved[mid] == mid:
                    return mid
                mid = resolved[mid]
            return mid

        for kind, _, ident in events:
            if kind == "q":
                continue
            m = st.mentions[ident]
            tok = doc.char_span(m.start, m.end, alignment_mode="expand")[0]
            qi = st.in_quote.get(tok.i)
            if m.label == "PERSON":
                resolved[m.id] = m.id
                last_person.append(m.id)
                continue
            if m.label not in ("PRON", "DESC"):
                resolved[m.id] = m.id
                continue
            low = m.text.lower()
            info = self.pronouns.get(low, {})
            ante = None
            if m.label == "DESC":
                for pid in reversed(last_person):
                    pm = st.mentions[final(pid)] if final(pid) is not None else None
                    if pm is not None and st.titles.get(pm.id) == m.title or (pm is not None and pm.title == m.title):
                        ante = pm.id
                        break
            elif info.get("kind") in ("subject", "object", "possessive", "reflexive") and info.get("gender") in ("m", "f"):
                # inside a quotation "he" is someone other than the speaker; the subject of
                # a speech verb after a quotation is handled with the quotation's speaker
                speaker = self._quote_speaker_id(st, qi, quote_speaker) if qi is not None else None
                cands = []
                for pid in reversed(last_person):
                    f = final(pid)
                    if f is None or st.mentions[f].start > m.start:
                        continue
                    if speaker is not None and f == speaker:
                        continue
                    if st.sent_of[tok.i] - st.mentions[f].sent > 3:
                        break
                    cands.append(pid)
                # within the sentence, a subject or direct object binds a possessive
                # before a person inside a prepositional phrase ("invited Xi to speak
                # with Zelensky as part of his visit" -> Xi)
                same = [p for p in cands if st.mentions[p].sent == st.sent_of[tok.i]]
                core = [p for p in same if st.mentions[p].dep in ("nsubj", "nsubjpass", "dobj", "appos")]
                pick = core[0] if core else (cands[0] if cands else None)
                ante = final(pick) if pick is not None else None
            elif info.get("kind") == "speaker" and qi is not None:
                ante = self._quote_speaker_id(st, qi, quote_speaker)
            elif info.get("kind") == "first" and qi is not None:
                sp = self._quote_speaker_id(st, qi, quote_speaker)
                if sp is not None:
                    st.we_of[m.id] = sp
                    ante = None
            elif low in ("its", "their", "they", "them") or (low == "it" and tok.dep_ == "poss"):
                ante = self._nonperson_antecedent(st, m, tok)
            elif info.get("kind") == "relative":
                ante = self._relative_antecedent(st, tok)
            resolved[m.id] = ante if ante is not None else None
            if ante is not None:
                st.mentions[m.id] = _replace(m, antecedent=final(ante))
        # quotation speakers (needs pronoun antecedents)
        for qi in range(len(st.quote_spans)):
            self._quote_speaker_id(st, qi, quote_speaker)
        # make "he added" after a quote point to the previous speaker: second pass
        for qi, (a, b) in enumerate(st.quote_spans):
            sp = quote_speaker.get(qi)
            text = doc[a + 1 : b].text.strip()
            first, last = st.sents[st.sent_of[a]], st.sents[st.sent_of[b]]
            sent_start, sent_end = _trimmed(st.table.text[first.start_char:last.end_char], first.start_char, last.end_char)
            verb = st.quote_verb.get(qi) or "said"
            if sp is not None:
                sp = self._final(st, sp)
            st.quotes_out.append(RawQuote(text, doc[a].idx, doc[b].idx + len(doc[b]), sent_start, sent_end, sp, verb))
            st.quote_speaker_final[qi] = sp

    def _final(self, st, mid):
        seen = set()
        while mid is not None and st.mentions[mid].antecedent is not None and mid not in seen:
            seen.add(mid)
            mid = st.mentions[mid].antecedent
        m = st.mentions[mid] if mid is not None else None
        if m is not None and m.label in ("PRON", "DESC") and m.antecedent is None:
            return None
        return mid

    def _quote_speaker_id(self, st, qi, cache):
        if qi in cache:
            return cache[qi]
        cache[qi] = None
        mid, verb = self._speaker_for_quote(st, qi)
        if mid is not None:
            m = st.mentions[mid]
            recent = self._subject_person_since_last_quote(st, qi, m) if m.label == "PRON" else None
            if recent is not None:
                st.mentions[mid] = _replace(m, antecedent=recent)
                mid = recent
            elif m.label == "PRON" and m.text.lower() in ("he", "she"):
                # "he added": the speaker of the previous quotation
                prev = None
                for back in range(qi - 1, max(-1, qi - 4), -1):
                    prev = cache[back] if back in cache else self._quote_speaker_id(st, back, cache)
                    if prev is not None:
                        break
                if prev is not None:
                    st.mentions[mid] = _replace(m, antecedent=prev)
                    mid = prev
                else:
                    mid = self._final(st, mid) if m.antecedent is not None else None
            elif m.label in ("PRON", "DESC"):
                mid = self._final(st, mid)
        elif qi > 0 and self._starts_sentence(st, qi):
            # a quotation with no speech verb continues the previous speaker's words
            # when it opens a sentence within two sentences of the previous quotation
            pa, pb = st.quote_spans[qi - 1]
            a, _ = st.quote_spans[qi]
            if st.sent_of[a] - st.sent_of[pb] <= 2:
                mid = self._quote_speaker_id(st, qi - 1, cache)
                verb = "said"
        cache[qi] = mid
        if verb:
            st.quote_verb[qi] = verb
        return mid

    def _subject_person_since_last_quote(self, st, qi, pron):
        """'Tusk said he was disappointed. "...," he said.' -> Tusk: a person who was the subject
        of a clause between the previous quotation and this pronoun beats the previous speaker."""
        start = st.doc[st.quote_spans[qi - 1][1]].idx if qi > 0 else 0
        best = None
        for m in st.mentions:
            if not (start < m.start < pron.start and m.dep in ("nsubj", "nsubjpass") and m.main_clause):
                continue
            if m.label == "PERSON" or (m.label == "DESC" and m.antecedent is not None):
                if best is None or m.start > st.mentions[best].start:
                    best = m.id
        return self._final(st, best) if best is not None else None

    def _starts_sentence(self, st, qi) -> bool:
        a, _ = st.quote_spans[qi]
        s = st.sents[st.sent_of[a]]
        return a == s.start or all(t.is_punct or t.is_space for t in st.doc[s.start:a])

    def _nonperson_antecedent(self, st, m, tok):
        plural = m.text.lower() in ("their", "they", "them")
        best = None
        for other in st.mentions:
            if other.start >= m.start or (best is not None and other.start < st.mentions[best].start):
                continue
            if other.label in ("GPE", "ORG", "NORP") and m.sent - other.sent <= 2:
                if other.label == "NORP" and not plural:
                    continue
                best = other.id
        # a possessive inside the same clause cannot refer to the clause's own subject's object
        return best

    def _relative_antecedent(self, st, tok):
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj") and tok.head.dep_ == "relcl":
            return self._mention_at(st, tok.head.head)
        return None

    # -------------------------------------------------------------- arguments
    def _mention_at(self, st, tok):
        """The mention a token stands for (after coreference); None if none."""
        mid = st.tok2m.get(tok.i)
        if mid is None:
            # the entity may be a compound of the token's noun phrase ("Chinese leader Xi")
            for c in tok.children:
                if c.dep_ == "compound" and c.i in st.tok2m and st.mentions[st.tok2m[c.i]].label == "PERSON":
                    return st.tok2m[c.i]
            return None
        m = st.mentions[mid]
        if m.label == "PRON" and m.id in st.we_of:
            return m.id
        if m.label in ("PRON", "DESC"):
            return self._final(st, mid) if m.antecedent is not None else None
        return mid

    def _arg(self, st, tok, depth: int = 0):
        """Mention id for an argument token: entity, resolved pronoun, or concept."""
        if depth > 3 or tok is None:
            return None
        low = tok.lower_
        lemma = tok.lemma_.lower()
        # "calls for a ceasefire" stands for the ceasefire
        prep = self.transparent.get(low) or self.transparent.get(lemma)
        if prep and tok.i not in st.tok2m:
            # the PP may hang off the noun or, after another PP, off that PP's object
            # ("calls from Poland for reparations")
            chain = _pp_chain(tok)
            if tok.dep_ in OBJ_DEPS:  # "rejected calls from Poland for reparations": PP on the verb
                chain += [c for c in tok.head.children if c.dep_ == "prep" and c.i > tok.i]
            for c in chain:
                if c.lower_ == prep:
                    for p in c.children:
                        if p.dep_ == "pobj":
                            return self._arg(st, p, depth + 1)
        mid = self._mention_at(st, tok)
        if mid is not None:
            return mid
        if tok.i in st.tok2m:  # an unresolved pronoun/description: no argument
            return None
        # "the US government" -> the country
        if lemma in self.state_nouns or low in self.state_nouns:
            for c in tok.children:
                if c.dep_ in ("compound", "amod", "poss") and c.i in st.tok2m:
                    m = st.mentions[st.tok2m[c.i]]
                    if m.label in ("GPE", "NORP"):
                        return m.id
        # an event noun with an agent stands for its agent ("against Russian aggression")
        if lemma in self.vocab.nouns and lemma not in self.transparent:
            agent = self._event_agent(st, tok)
            if agent is not None and self._event_object(st, tok) is None:
                return agent
        if tok.pos_ in ("NOUN", "PROPN") and low not in self.stop_concepts and lemma not in self.stop_concepts:
            return self._concept(st, tok)
        return None

    def _concept(self, st, tok):
        doc = st.doc
        if tok.i in st.concept_at:
            return st.concept_at[tok.i]
        if tok.ent_type_ in ("MONEY", "QUANTITY", "PERCENT", "CARDINAL", "DATE", "TIME", "ORDINAL") or any(
                c.dep_ == "nummod" or c.like_num for c in tok.children):
            return None  # amounts and dates are not things relations are about
        org_head = tok.lemma_.lower() in self.org_nouns
        mods = [c for c in tok.children if c.dep_ in ("compound", "amod") and c.i < tok.i
                and (c.i not in st.tok2m or (org_head and st.mentions[st.tok2m[c.i]].label == "NORP"))
                and c.lower_ not in self.concept_strip and c.pos_ in ("NOUN", "ADJ", "PROPN")]
        # keep only the contiguous modifiers just before the head
        start = tok.i
        for c in sorted(mods, key=lambda c: -c.i):
            if c.i == start - 1 or (c.i == start - 2 and doc[c.i + 1].text == "-"):
                start = c.i
        words = doc[start : tok.i + 1].text
        canon = None if org_head and start < tok.i else (
            self.vocab.concepts.get(words.lower()) or self.vocab.concepts.get(tok.lower_)
            or self.vocab.concepts.get(tok.lemma_.lower()))
        if canon is None and (tok.lemma_.lower() in self.stop_concepts or len(words) < 3):
            return None
        is_org = tok.lemma_.lower() in self.org_nouns and start < tok.i
        if canon:
            name = canon
        elif is_org:
            name = words[:1].upper() + words[1:] if words[:1].islower() and doc[start].pos_ == "PROPN" else words
        else:
            name = words.lower() if not any(t.pos_ == "PROPN" for t in doc[start : tok.i + 1]) else words
        m = self._add(st, start, tok.i + 1, "ORG_NOUN" if is_org else "CONCEPT", name=name)
        st.concept_at[tok.i] = m.id
        return m.id

    def _event_agent(self, st, noun):
        for c in noun.children:
            if c.dep_ == "poss":
                m = self._mention_at(st, c)
                if m is not None:
                    return m
        by_heads = [noun]
        if noun.dep_ in OBJ_DEPS and not any(c.dep_ == "auxpass" for c in noun.head.children):
            by_heads.append(noun.head)  # "discussed the invasion of Kuwait by Iraq": PP on the verb
        for h in by_heads:
            for c in h.children:
                if c.dep_ == "prep" and (c.lower_ == "by" or (c.lower_ == "from" and h.i == noun.i)):
                    for p in c.children:
                        if p.dep_ == "pobj":
                            return self._mention_at(st, p)
        for c in noun.children:
            if c.dep_ in ("amod", "compound") and c.i in st.tok2m:
                m = st.mentions[st.tok2m[c.i]]
                if m.label in ("NORP", "GPE", "ORG", "PERSON"):
                    return m.id
        return None

    def _event_object(self, st, noun, preps=None):
        lemma = noun.lemma_.lower()
        entries = self.vocab.nouns.get(noun.lower_) or self.vocab.nouns.get(lemma) or []
        wanted = preps or {p for _, ps in entries for p in ps}
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ in wanted:
                for p in c.children:
                    if p.dep_ == "pobj":
                        return c.lower_, p
        return None

    # -------------------------------------------------------------- relations
    def _speaker_of_tok(self, st, tok):
        qi = st.in_quote.get(tok.i)
        if qi is None:
            return None
        return st.quote_speaker_final.get(qi)

    def _reported_by(self, st, verb):
        """``X said (that) <clause>``: the speaker X of indirect speech, if any."""
        tok = verb
        for _ in range(3):
            if tok.dep_ in ("ccomp", "conj") and tok.head.i != tok.i:
                head = tok.head
                if head.lemma_.lower() in self.speech and st.in_quote.get(head.i) is None:
                    subj = [c for c in head.children if c.dep_ == "nsubj"]
                    if subj:
                        return self._mention_at(st, subj[0])
                    return None
                tok = head
            else:
                return None
        return None

    def _emit(self, st, subj, pred, obj, tok, trigger, *, negated, modality, rule, conf, speaker=None,
              alternatives=()):
        if subj is None or obj is None or subj == obj:
            return
        sm = st.mentions[subj]
        if sm.label == "PRON" and subj not in st.we_of:
            return
        p = self.vocab.predicates[pred]
        polarity = NEGATIVE if negated else POSITIVE
        if negated and p.negated:
            pred, polarity = p.negated, POSITIVE
            alternatives = ()
        if speaker is None:
            speaker = self._speaker_of_tok(st, tok)
        if speaker is None:
            rep = self._reported_by(st, tok)
            if rep is not None:
                speaker = rep
                if modality == "asserted":
                    modality = "reported"
        if speaker is not None and st.mentions[speaker].label in ("PRON", "DESC"):
            speaker = self._final(st, speaker)
        if any(st.mentions[x].antecedent is not None for x in (subj, obj)):
            conf -= 0.1
        st.relations.append(RawRelation(subj, pred, obj, st.sent_of[tok.i], trigger, polarity, modality, speaker,
                                        round(max(0.05, min(0.99, conf)), 3), rule, tuple(alternatives)))

    def _verb_relations(self, st, c: Clause) -> None:
        v = c.verb
        vocab = self.vocab
        lemma = verb_lemma(v, vocab.verbs)
        if lemma not in vocab.verbs:
            lemma = verb_lemma(v, vocab.phrasal_verbs)
        trig = rel_phrase(c)
        subjects = [self._arg(st, s) for s in c.subjects]
        subjects = [s for s in subjects if s is not None]
        if not subjects:
            return
        base = 0.7 if not c.inherited_subject else 0.6
        if c.passive:
            base -= 0.05
        found = False
        if c.passive:
            # stranded preposition: "a ceasefire was called for by the Arab League"
            for ch in v.children:
                pred = vocab.phrasal.get((lemma, ch.lower_)) if ch.dep_ == "prep" else None
                if pred and not any(g.dep_ == "pobj" for g in ch.children):
                    for o in c.objects:
                        obj = self._arg(st, o)
                        for s in subjects:
                            self._emit(st, s, pred, obj, v, f"{trig} {ch.text}", negated=c.negated,
                                       modality=c.modality, rule="passive-prep", conf=base)
                        found = found or obj is not None
        # "Putin and Erdogan met": a symmetric verb with coordinated subjects and no object
        pred = vocab.verbs.get(lemma)
        if pred and vocab.predicates[pred].symmetric and not c.objects and len(subjects) > 1 and not c.inherited_subject:
            for i, a in enumerate(subjects):
                for b in subjects[i + 1:]:
                    self._emit(st, a, pred, b, v, trig, negated=c.negated, modality=c.modality,
                               rule="symmetric-coordination", conf=base - 0.05)
        # phrasal verbs: "call for X", "speak with X", "rule out X"
        for prep, ptok, pobj in c.preps:
            pred = vocab.phrasal.get((lemma, prep))
            if pred:
                obj = self._arg(st, pobj)
                for s in subjects:
                    self._emit(st, s, pred, obj, v, f"{trig} {ptok.text}", negated=c.negated, modality=c.modality,
                               rule="verb-prep", conf=base)
                found = found or obj is not None
        if c.particle and (lemma, c.particle) in vocab.phrasal:
            pred = vocab.phrasal[(lemma, c.particle)]
            for o in c.objects:
                obj = self._arg(st, o)
                for s in subjects:
                    self._emit(st, s, pred, obj, v, trig, negated=c.negated, modality=c.modality, rule="verb-particle",
                               conf=base)
            return
        pred = vocab.verbs.get(lemma)
        handled = set()
        # light verb + event noun: "extend its support to Russia", "impose sanctions on Iran"
        if lemma in self.light or not pred:
            for o in c.objects:
                entries = vocab.nouns.get(o.lower_) or vocab.nouns.get(o.lemma_.lower())
                for npred, preps in entries or ():
                    target = self._event_object(st, o, set(preps))
                    if target is None:
                        target = next(((p, pobj) for p, _, pobj in c.preps if p in preps), None)
                    if target is None:
                        continue
                    obj = self._arg(st, target[1])
                    neg = c.negated or any(ch.dep_ == "det" and ch.lower_ == "no" for ch in o.children)
                    for s in subjects:
                        self._emit(st, s, npred, obj, v, f"{trig} {o.text} {target[0]}", negated=neg,
                                   modality=c.modality, rule="light-verb", conf=base - 0.05)
                    handled.add(o.i)
                    break
        if pred and not found:
            alternatives = vocab.verb_preds.get(lemma, (pred,))[1:]
            for o in c.objects:
                if o.i in handled:
                    continue
                obj = self._arg(st, o)
                for s in subjects:
                    self._emit(st, s, pred, obj, v, trig, negated=c.negated, modality=c.modality,
                               rule="passive" if c.passive else "svo", conf=base, alternatives=alternatives)
                found = found or obj is not None
            # "supplied weapons to Russia": the recipient as second object
            if pred in ("provides", "supports"):
                for prep, ptok, pobj in c.preps:
                    if prep in ("to", "for"):
                        obj = self._arg(st, pobj)
                        for s in subjects:
                            self._emit(st, s, pred, obj, v, f"{trig} {ptok.text}", negated=c.negated,
                                       modality=c.modality, rule="svo-recipient", conf=base - 0.1)

    def _between(self, st, tok, entries) -> bool:
        """``talks between Armenia and Azerbaijan``: a symmetric event between coordinated parties."""
        pred = next((p for p, _ in entries if self.vocab.predicates[p].symmetric), None)
        if pred is None:
            return False
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "between":
                parties = [p for x in c.children if x.dep_ == "pobj" for p in _conjuncts(x)]
                ids = [m for m in (self._arg(st, p) for p in parties) if m is not None]
                negated = any(d.dep_ == "det" and d.lower_ == "no" for d in tok.children)
                for i, a in enumerate(ids):
                    for b in ids[i + 1:]:
                        self._emit(st, a, pred, b, tok, f"{tok.text} between", negated=negated,
                                   modality="asserted", rule="nominal-between", conf=0.6)
                return bool(ids)
        return False

    def _nominal_relations(self, st, sent) -> None:
        tb, nouns = st.table, self.vocab.nouns
        for i in range(sent.start, sent.end):
            if tb.pos[i] not in ("NOUN", "PROPN"):
                continue
            entries = nouns.get(tb.lower[i]) or nouns.get(tb.lemma[i].lower())
            if not entries:
                continue
            tok = st.doc[i]
            if self._between(st, tok, entries):
                continue
            agent = self._event_agent(st, tok)
            if agent is None:
                continue
            negated = any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in tok.children)
            future = any(g.lower_ in self.future for c in tok.children if c.dep_ != "prep" for g in c.subtree)
            for pred, preps in entries:
                target = self._event_object(st, tok, set(preps))
                if target is None and tok.dep_ in OBJ_DEPS:
                    # PP attached to the verb: "support its defense against X"
                    target = next(((c.lower_, p) for c in tok.head.children if c.dep_ == "prep" and c.lower_ in preps
                                   for p in c.children if p.dep_ == "pobj"), None)
                if target is None:
                    continue
                obj = self._arg(st, target[1])
                self._emit(st, agent, pred, obj, tok, f"{tok.text} {target[0]}", negated=negated,
                           modality="planned" if future else "asserted", rule="nominal", conf=0.6)
                break

    # -------------------------------------------------------------- titles and appositions
    def _roles(self, st) -> None:
        """``Chinese President Xi Jinping``, ``NSC spokesman John Kirby``, ``Kirby, the NSC spokesman``."""
        doc = st.doc
        for m in list(st.mentions):
            if m.label != "PERSON":
                continue
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            # words written before the name: "... spokesman John Kirby"
            i = span.start - 1
            words = []
            while i >= 0 and doc[i].i not in st.tok2m and (doc[i].pos_ in ("NOUN", "PROPN", "ADJ") or doc[i].text == "-"
                                                           or (doc[i].lower_ == "of" and words)) \
                    and doc[i].lower_ not in ("the", "a", "an"):
                words.insert(0, doc[i].lower_)
                i -= 1
            hit = self.vocab.title_of(words) if words else None
            title = m.title
            n_before = len(st.relations)
            if hit and hit[1] == len(words):
                title = hit[0]
                st.mentions[m.id] = _replace(st.mentions[m.id], title=title)
                org_tok = doc[i] if i >= 0 else None
                if org_tok is not None and org_tok.i in st.tok2m:
                    org = st.mentions[st.tok2m[org_tok.i]]
                    if org.label in ("ORG", "GPE", "NORP"):
                        self._emit(st, m.id, title, org.id, span.root, f"{org.text} {' '.join(words)}",
                                   negated=False, modality="asserted", rule="title", conf=0.85)
            elif title:
                # "Xi Jinping" tagged with the title inside the entity: look for a demonym/org before it
                org_tok = doc[span.start - 1] if span.start > 0 else None
                if org_tok is not None and org_tok.i in st.tok2m:
                    org = st.mentions[st.tok2m[org_tok.i]]
                    if org.label in ("ORG", "GPE", "NORP"):
                        self._emit(st, m.id, title, org.id, span.root, f"{org.text} {title}", negated=False,
                                   modality="asserted", rule="title", conf=0.85)
            if title:
                st.titles[m.id] = title
                if len(st.relations) == n_before:  # a title with no organisation ("President Joe Biden")
                    st.title_only.append((m.id, title, m.sent, " ".join(words) or title))
            # apposition: "John Kirby, the spokesman for the National Security Council"
            root = span.root
            for c in root.children:
                if c.dep_ != "appos":
                    continue
                words = [t.lower_ for t in c.lefts if t.dep_ in ("compound", "amod")] + [c.lower_]
                hit = self.vocab.title_of([w for w in words if w not in ("the", "a", "an")])
                if not hit:
                    continue
                st.titles[m.id] = hit[0]
                org = None
                for g in c.children:
                    if g.dep_ == "prep" and g.lower_ in ("of", "for", "at", "to"):
                        org = next((self._mention_at(st, p) for p in g.children if p.dep_ == "pobj"), None)
                    elif g.dep_ in ("compound", "amod", "poss", "nmod") and g.i in st.tok2m:
                        org = st.tok2m[g.i]
                if org is not None and st.mentions[org].label in ("ORG", "GPE", "NORP"):
                    self._emit(st, m.id, hit[0], org, root, c.text, negated=False, modality="asserted",
                               rule="apposition", conf=0.75)
        self._title_appositions(st)
        self._indefinite_roles(st)

    def _title_appositions(self, st) -> None:
        """``Ukraine's foreign minister, Dmytro Kuleba`` / ``the spokesman of the council, Ana Ruiz``."""
        tb = st.table
        for i in range(len(st.doc)):
            if tb.pos[i] != "NOUN" or i in st.tok2m or not any(
                    tb.dep[c] == "appos" and c in st.tok2m for c in tb.children(i)):
                continue
            t = st.doc[i]
            people = [c for c in t.children if c.dep_ == "appos" and c.i in st.tok2m
                      and st.mentions[st.tok2m[c.i]].label == "PERSON"]
            if not people:
                continue
            words = [x.lower_ for x in t.lefts if x.dep_ in ("compound", "amod")] + [t.lower_]
            hit = self.vocab.title_of(words)
            if not hit:
                continue
            org = None
            for g in t.children:
                if g.dep_ in ("poss", "compound", "amod", "nmod") and g.i in st.tok2m:
                    org = st.tok2m[g.i]
                elif g.dep_ == "prep" and g.lower_ in ("of", "for", "at", "to"):
                    org = next((self._mention_at(st, p) for p in g.children if p.dep_ == "pobj"), org)
            person = st.tok2m[people[0].i]
            st.titles.setdefault(person, hit[0])
            if org is not None and st.mentions[org].label in ("ORG", "GPE", "NORP"):
                self._emit(st, person, hit[0], org, t, " ".join(words), negated=False, modality="asserted",
                           rule="apposition", conf=0.75)

    def _indefinite_roles(self, st) -> None:
        """News leads name a source by role first and by name later: "..., a White House
        spokesman said." then "National Security Council spokesman John Kirby said ...".
        The unnamed "<org> <title>" is linked to the first person named with the same
        title within the next three sentences, else the closest one before (low confidence)."""
        doc = st.doc
        persons = sorted((m for m in st.mentions if m.label == "PERSON" and m.id in st.titles), key=lambda m: m.start)
        tb = st.table
        for i in range(len(doc)):
            if tb.pos[i] != "NOUN" or i in st.tok2m:
                continue
            hit = self.vocab.title_of([tb.lower[i]])
            if not hit or not any(tb.dep[c] == "det" and tb.lower[c] in ("a", "an") for c in tb.children(i)):
                continue
            t = doc[i]
            org = next((st.tok2m[c.i] for c in t.children if c.dep_ in ("compound", "amod", "nmod")
                        and c.i in st.tok2m and st.mentions[st.tok2m[c.i]].label in ("ORG", "GPE", "NORP")), None)
            if org is None:
                continue
            si = st.sent_of[t.i]
            near = [p for p in persons if abs(p.sent - si) <= 3 and st.titles.get(p.id) == hit[0]]
            # prefer the first person named after the description, else the closest before it
            after = [p for p in near if p.start > t.idx]
            near = after[:1] or sorted(near, key=lambda p: -p.start)[:1]
            for p in near:
                org_m = st.mentions[org]
                self._emit(st, p.id, hit[0], org, t, f"{org_m.text} {t.text}", negated=False,
                           modality="asserted", rule="indefinite-role", conf=0.5)


class _Table:
    """A Doc's token attributes as plain lists, read at once (``Doc.to_array``). Rules that scan
    every token test these first: each access to a spaCy Token makes a new Python object."""

    ATTRS = ("ORTH", "LOWER", "LEMMA", "POS", "TAG", "DEP", "HEAD", "IDX", "IS_PUNCT", "IS_TITLE", "IS_UPPER",
             "SPACY")

    def __init__(self, doc, strings: dict[int, str]):
        cols = doc.to_array(list(self.ATTRS)).T.tolist() if len(doc) else [[] for _ in self.ATTRS]
        store = doc.vocab.strings
        for col in cols[:6]:
            for h in set(col).difference(strings):
                strings[h] = store[h]
        self.orth, self.lower, self.lemma, self.pos, self.tag, self.dep = (
            [strings[h] for h in col] for col in cols[:6])
        # HEAD is the head's offset from the token, stored unsigned
        self.head = [i + (h - (1 << 64) if h >= 1 << 63 else h) for i, h in enumerate(cols[6])]
        self.idx = cols[7]
        self.is_punct, self.is_title, self.is_upper = cols[8:11]  # 0/1
        # Doc.text, without making every Token: each token's text and a space if it has one
        self.text = "".join([t + " " if sp else t for t, sp in zip(self.orth, cols[11])])
        self._children: list[list[int]] | None = None

    def children(self, i: int) -> list[int]:
        """Indices of token ``i``'s syntactic children, in order."""
        if self._children is None:
            self._children = [[] for _ in self.head]
            for j, h in enumerate(self.head):
                if h != j:
                    self._children[h].append(j)
        return self._children[i]

    def span_text(self, start: int, end: int) -> str:
        """The text of tokens ``start`` to ``end`` (exclusive), as ``doc[start:end].text``."""
        return self.text[self.idx[start]:self.idx[end - 1] + len(self.orth[end - 1])]

    def space_before(self, i: int) -> str:
        """The white space after token ``i - 1`` (its ``whitespace_``)."""
        return self.text[self.idx[i - 1] + len(self.orth[i - 1]):self.idx[i]]


class _State:
    def __init__(self, doc, article, strings: dict[int, str] | None = None):
        self.doc = doc
        self.table = _Table(doc, {} if strings is None else strings)
        self.article = article
        self.mentions: list[Mention] = []
        self.tok2m: dict[int, int] = {}
        self.relations: list[RawRelation] = []
        self.quote_spans: list[tuple[int, int]] = []
        self.in_quote: dict[int, int] = {}
        self.quote_verb: dict[int, str] = {}
        self.quote_speaker_final: dict[int, int | None] = {}
        self.quotes_out: list[RawQuote] = []
        self.we_of: dict[int, int] = {}  # "we" mention -> speaker mention
        self.titles: dict[int, str] = {}
        self.concept_at: dict[int, int] = {}
        self.title_only: list[tuple[int, str, int, str]] = []  # (person mention, role predicate, sentence, words)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Sentence offsets without the white space spaCy keeps at its edges."""
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    return start + lead, max(start + lead, end - trail)


def _pp_chain(noun, depth: int = 2):
    """Prepositions attached to a noun, then to those prepositions' objects."""
    out = []
    frontier = [noun]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            for c in n.children:
                if c.dep_ == "prep":
                    out.append(c)
                    nxt.extend(p for p in c.children if p.dep_ == "pobj")
        frontier = nxt
    return out


def _is_actor(tok) -> bool:
    return tok.dep_ in ("nsubj", "nsubjpass", "poss", "agent") or (
        tok.dep_ == "pobj" and tok.head.lower_ == "by") or (tok.dep_ == "pobj" and tok.head.lower_ == "to"
                                                            and tok.head.head.lower_ == "according")


def _replace(m: Mention, **kw) -> Mention:
    from dataclasses import replace

    return replace(m, **kw)


def _dedupe(relations):
    seen = {}
    for r in relations:
        key = (r.subj, r.pred, r.obj, r.sent, r.polarity)
        if key not in seen or seen[key].confidence < r.confidence:
            seen[key] = r
    return list(seen.values())

"""The clause analysis: what the dependency parse says about each verb of a sentence - its
subjects (its own, or taken over from another verb), objects, prepositional complements,
particle, voice, negation and modality.

One analysis, two outputs: the knowledge-graph relations (:mod:`kg.extract.relations`,
normalised through data/relations.yaml) and the OpenIE tuples of ``kg openie``
(:mod:`kg.openie`). Its words (negation, modality, control verbs) come from data/lexicon.yaml.
"""

from __future__ import annotations

from ..model import ASSERTED
from ..vocab import Vocabulary
from .params import CONDITION_HOPS, EVIDENTIAL_HOPS, MODALITY_HOPS
from .records import Clause
from .tree import PREP_COMPLEMENTS, conjunct_heads, conjuncts, objects_of

SUBJ_DEPS = {"nsubj", "nsubjpass", "csubj"}
OBJ_DEPS = {"dobj", "obj"}
VERBAL = ("VERB", "AUX")
#: clauses under a noun or another verb through which an evidential noun negates a verb
COMPLEMENT_DEPS = ("acl", "ccomp", "conj", "relcl", "advcl", "xcomp")
#: a negation word attached with these dependencies negates the verb
NEGATING_DEPS = ("advmod", "det", "preconj")
#: the marker of an infinitive ("to arm Ukraine")
INFINITIVE_TO = "to"
COPULA = "be"
#: "gave Ukraine weapons": the recipient, read as if it were "to Ukraine"
DATIVE_AS_PREP = "to"
#: the modality of what a possibility auxiliary ("could") gives, which a negated ability
#: auxiliary does not ("could not agree": did not agree)
POSSIBLE = "possible"
#: a future auxiliary's modality, and that of indirect speech (a verb of saying governing it)
PLANNED, REPORTED = "planned", "reported"


def _has_mark(tok, words) -> bool:
    return any(c.dep_ == "mark" and c.lower_ in words for c in tok.children)


def _is_condition(tok, vocab: Vocabulary) -> bool:
    """An adverbial clause introduced by a conditional mark ("if X sends weapons")."""
    return tok.dep_ == "advcl" and _has_mark(tok, vocab.word_set("conditional_marks"))


def is_hypothetical(verb, vocab: Vocabulary) -> bool:
    """The verb is in a condition, or in a clause under one ("if China decides to send weapons")."""
    tok = verb
    for _ in range(CONDITION_HOPS):
        if _is_condition(tok, vocab):
            return True
        if tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def is_negated(tok, vocab: Vocabulary) -> bool:
    """The token has a negation of its own ("not", "never")."""
    neg_words = vocab.word_set("negation_words")
    not_verbal = vocab.word_set("non_verbal_negation")
    for c in tok.children:
        if c.dep_ == "neg" or (c.dep_ in NEGATING_DEPS and c.lower_ in neg_words and c.lower_ not in not_verbal):
            return True
    return False


def _negated_by_context(verb, vocab: Vocabulary) -> bool:
    """What around the verb says it did not happen: "declined to provide", "his refusal to
    testify", "without providing evidence", "neither the EU nor the US would endorse"."""
    head = verb.head
    if verb.dep_ == "xcomp" and head.i != verb.i and not is_negated(head, vocab) \
            and verb_lemma(head, vocab.word_set("negative_control_verbs")) in vocab.word_set("negative_control_verbs"):
        return True
    if verb.dep_ == "acl" and head.lemma_.lower() in vocab.word_set("negative_control_nouns"):
        return True
    if verb.dep_ == "pcomp" and head.lower_ in vocab.word_set("negating_prepositions"):
        return True
    preconj = vocab.word_set("negating_preconjunctions")
    return any(s.dep_ in SUBJ_DEPS and any(c.dep_ == "preconj" and c.lower_ in preconj for c in s.children)
               for s in verb.children)


def _evidential_negation(verb, vocab: Vocabulary) -> bool:
    """``we have seen no signs that they supplied weapons`` -> supplied is negated."""
    evid = vocab.word_set("evidential_nouns")
    negative = vocab.word_set("negative_determiners")
    tok = verb
    for _ in range(EVIDENTIAL_HOPS):
        if tok.dep_ not in COMPLEMENT_DEPS or tok.head.i == tok.i:
            return False
        head = tok.head
        if head.lower_ in evid or head.lemma_.lower() in evid:
            if any(c.dep_ == "det" and c.lower_ in negative for c in head.children):
                return True
            # "haven't seen any indications that ..." : the noun's governing verb is negated
            for h in conjunct_heads(head):
                if h.pos_ in VERBAL and is_negated(h, vocab):
                    return True
        tok = head
    return False


def _modality(verb, vocab: Vocabulary, negated: bool = False) -> str:
    """The verb's modality: possible when a condition hangs from it ("... if the search fails"),
    else from its auxiliaries, adverbs and subordinators (a mark only on a complement clause),
    else from what governs it - a verb ("plans to speak": planned), an adjective ("is due to
    visit"), a noun ("a bid to join"), a purpose infinitive ("sent troops to protect") - else
    asserted. What governs it wins over a future auxiliary when it is no plan itself ("hopes
    that the union will support": hoped). A negated ability auxiliary gives none ("could not
    agree": did not agree)."""
    cues = vocab.modality
    if any(_is_condition(c, vocab) for c in verb.children):
        return POSSIBLE  # "... will impose sanctions if China sends weapons": possible, not planned
    own = None
    for c in verb.children:
        if c.dep_ == "aux" and c.lower_ in cues.aux:
            if negated and c.lower_ in vocab.word_set("ability_auxiliaries"):
                continue
            own = cues.aux[c.lower_]
        elif c.dep_ == "advmod" and c.lower_ in cues.adverbs:
            own = cues.adverbs[c.lower_]
        elif c.dep_ == "mark" and c.lower_ in cues.marks and verb.dep_ != "advcl":
            own = cues.marks[c.lower_]
        if own is not None:
            break
    if own is not None and own != PLANNED:
        return own
    gov = _governed_modality(verb, vocab)
    if own == PLANNED and gov in (ASSERTED, PLANNED, REPORTED):
        return own
    return gov


def _governed_modality(verb, vocab: Vocabulary) -> str:
    """The modality given by what governs the verb (see :func:`_modality`), else asserted."""
    cues = vocab.modality
    tok = verb
    for _ in range(MODALITY_HOPS):
        head = tok.head
        if head.i == tok.i:
            break
        if tok.dep_ == "conj":  # coordinated verbs share what governs them
            tok = head
        elif tok.dep_ in ("xcomp", "ccomp"):
            if head.pos_ == "ADJ" and tok.dep_ == "xcomp" and head.lemma_.lower() in cues.adjectives:
                return cues.adjectives[head.lemma_.lower()]
            lemma = verb_lemma(head, cues.verbs)
            if lemma in cues.verbs and (tok.dep_ == "xcomp" or lemma not in cues.infinitive_only):
                return cues.verbs[lemma]
            tok = head
        elif tok.dep_ == "acl" and _is_infinitive(tok) and head.lower_ in cues.nouns:
            return cues.nouns[head.lower_]
        elif tok.dep_ == "pcomp" and tok.tag_ == "VBG" and head.lower_ == "of" and head.head.lower_ in cues.nouns:
            return cues.nouns[head.head.lower_]  # "its goal of ousting Assad", "hopes of joining"
        elif tok.dep_ == "advcl" and _is_infinitive(tok):
            return vocab.lexicon.get("purpose_modality", ASSERTED)
        else:
            break
    return ASSERTED


def verb_lemma(tok, known) -> str:
    """The token's lemma, or a form of its text found in ``known`` when spaCy's
    lemmatizer slips ("hopes" -> "hop")."""
    lemma = tok.lemma_.lower()
    if lemma in known:
        return lemma
    low = tok.lower_
    for form in (low, low[:-1] if low.endswith("s") else None, low[:-1] if low.endswith("d") else None,
                 low[:-2] if low.endswith(("es", "ed")) else None, low[:-3] if low.endswith("ing") else None,
                 low[:-3] + "e" if low.endswith("ing") else None):  # "hoping" -> "hope"
        if form and form in known:
            return form
    return lemma


def _is_infinitive(verb) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == INFINITIVE_TO for c in verb.children)


def _subjects(verb, vocab: Vocabulary) -> tuple[list, bool]:
    """The verb's subjects, and whether they are taken over from another word."""
    subs = [c for c in verb.children if c.dep_ in SUBJ_DEPS]
    if subs:
        out = []
        for s in subs:
            out.extend(conjuncts(s))
        return out, False
    if verb.dep_ == "relcl":  # "the United States, which leads the coalition"
        return [verb.head], True
    if verb.dep_ in ("xcomp", "advcl") and verb.head.i != verb.i:
        head = verb.head
        lemma = head.lemma_.lower()
        passive_head = any(c.dep_ == "nsubjpass" for c in head.children)
        if verb.dep_ == "xcomp" and lemma in vocab.word_set("object_control_verbs") and not passive_head:
            dobj = [c for c in head.children if c.dep_ in OBJ_DEPS]
            if dobj:
                return dobj[:1], True
            # "called on Italy to join": the object of the verb's preposition
            on = [p for c in head.children if c.dep_ == "prep" and c.lower_ in vocab.word_set("object_control_prepositions")
                  for p in objects_of(c)]
            if on:
                return on[:1], True
            if lemma in vocab.word_set("object_only_control_verbs"):
                return [], False  # "urged to join": whoever was urged, not the one urging
        if verb.dep_ == "advcl" and not (verb.tag_ == "VBG" or _is_infinitive(verb)):
            return [], False  # a finite adverbial clause without its own subject: unknown
        if verb.dep_ == "advcl" and _is_infinitive(verb) and any(c.dep_ in OBJ_DEPS for c in head.children):
            return [], False  # "sent officers to protect the buildings": the officers protect
        s, _ = _subjects(head, vocab)
        return s, True
    if verb.dep_ == "conj" and verb.head.i != verb.i and verb.head.pos_ in VERBAL:
        s, _ = _subjects(verb.head, vocab)
        return s, True
    if verb.dep_ == "acl" and _is_infinitive(verb) and verb.head.lower_ in _governing_nouns(vocab):
        # "China's bid to join", "the EU made a bid to secure a deal": the noun's agent
        noun = verb.head
        poss = [c for c in noun.children if c.dep_ == "poss"]
        if poss:
            return poss, True
        if noun.dep_ in OBJ_DEPS and noun.head.i != noun.i:
            s, _ = _subjects(noun.head, vocab)
            return s, True
        return [], False
    if verb.dep_ == "acl" and (verb.tag_ == "VBG" or _is_infinitive(verb)):
        return [verb.head], True  # "a coalition delivering arms", "a coalition to arm Ukraine"
    if verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.head.i != verb.head.i:
        gov = verb.head.head  # "leads the coalition in delivering arms": the governing clause's subject
        while gov.pos_ not in VERBAL and gov.head.i != gov.i:  # (tokens are new objects: no `is`)
            gov = gov.head
        if gov.pos_ in VERBAL:
            s, _ = _subjects(gov, vocab)
            return s, True
    return [], False


def _governing_nouns(vocab: Vocabulary) -> frozenset[str]:
    """Nouns whose infinitive is their agent's act ("a bid to join", "his refusal to testify")."""
    return frozenset(vocab.modality.nouns) | vocab.word_set("negative_control_nouns")


def _heads_clause(pos: str, dep: str) -> bool:
    """A verb, or an auxiliary that is not helping another verb ("is" in "X is Y")."""
    return pos == "VERB" or (pos == "AUX" and dep not in ("aux", "auxpass"))


def clauses(sent, vocab: Vocabulary, table=None) -> list[Clause]:
    """One :class:`Clause` per verb of a sentence (spaCy ``Span``); ``table``, the doc's
    :class:`~kg.extract.table.DocTable` if the caller has one, finds the verbs without making
    every Token."""
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
            if ch.dep_ in OBJ_DEPS or (ch.dep_ == "attr" and v.lemma_ == COPULA):
                c.objects.extend(conjuncts(ch))
            elif ch.dep_ == "prt":
                c.particle = ch.lower_
            elif ch.dep_ == "dative" and ch.pos_ in ("PROPN", "NOUN", "PRON"):
                c.preps.append((DATIVE_AS_PREP, ch, ch))
            elif ch.dep_ in ("prep", "agent", "dative"):
                for p in objects_of(ch, PREP_COMPLEMENTS):
                    for pc in conjuncts(p):
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
        c.negated = is_negated(v, vocab) or _evidential_negation(v, vocab) or _negated_by_context(v, vocab)
        # "do not plan to speak" negates the complement too
        if not c.negated and v.dep_ == "xcomp" and is_negated(v.head, vocab):
            c.negated = True
        c.modality = _modality(v, vocab, c.negated)
        c.hypothetical = is_hypothetical(v, vocab)
        out.append(c)
    return out


def rel_phrase(c: Clause) -> str:
    """The verb group as written: auxiliaries before the verb, the verb, its particle."""
    v = c.verb
    words = [t for t in c.aux if t.i < v.i] + [v]
    if c.particle:
        words += [t for t in v.children if t.dep_ == "prt"]
    words.sort(key=lambda t: t.i)
    return " ".join(t.text for t in words)

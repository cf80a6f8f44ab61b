"""The type vote: the mentions of one entity are unified. Every mention whose name has one identity
(:mod:`kg.names`: the gazetteer entry, else the name case-folded without punctuation and legal
form: ``eBay`` = ``Ebay``, ``Apple Inc.`` = ``Apple``) gets one type and one label. A gazetteer
entry keeps its own; any other name takes the type its evidence across the article supports
best - NER's labels (1 each, but n mentions NER reads as one type weigh sqrt(n): NER reads a
repeated name the same way, right or wrong), the words of the name (2: "Airlines", "Typhoon"),
its context (1.5: "shares of X", "X's chief executive", "X, a militia"), a title or its surname
standing for it (2: a person), a he/she that refers to it (one more PERSON reading) - ties broken by :data:`kg.model.TYPE_PRECEDENCE`; and its most
frequent spelling as label (ties: the greatest in code-point order).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable

from ..extract import Mention, final_mention
from ..extract.mentions import NOT_PERSON
from ..extract.records import PRON
from ..model import TYPE_PRECEDENCE
from ..names import entity_words
from ..vocab import load_vocabulary
from .keys import Key
from .names import _clean

#: the weights of the evidence for an entity's type (see the module docstring)
NER_VOTE, CONCEPT_VOTE, NAME_WORDS_VOTE, CONTEXT_VOTE, WEAK_CONTEXT_VOTE, PERSON_VOTE = 1.0, 0.5, 2.0, 1.5, 0.5, 2.0


def unify(mentions: tuple[Mention, ...], keys: dict[int, Key], variants: dict[str, str],
          identity: Callable[[str], str]) -> None:
    """One type and one label for all the mentions of one identity (see the module docstring); ``identity``:
    the identity of a name no gazetteer entry claims.."""
    groups: dict[str, list[int]] = defaultdict(list)
    for mid in sorted(keys):
        k = keys[mid]
        if k.ident is None and k.type == "Person" and k.label in variants:
            k = keys[mid] = k._replace(label=variants[k.label])
        groups[k.ident or identity(k.label)].append(mid)
    pronouns = load_vocabulary().pronouns
    referred = Counter()  # mention -> the he/she that stand for it
    for m in mentions:
        if m.label == PRON and pronouns.get(m.text.lower(), {}).get("gender") in ("m", "f"):
            f = final_mention(mentions, m.id)
            if f is not None and f in keys:
                referred[f] += 1
    ew = entity_words()
    for ident, mids in groups.items():
        if keys[mids[0]].ident is not None:
            continue  # a gazetteer entry: its own type and name
        votes: Counter = Counter()
        labels: Counter = Counter()
        qid = None
        ner: Counter = Counter()  # NER's reading of each mention, by type
        not_person = 0.0  # evidence that the name is no person's ("the Grayback", "SpaceX")
        for mid in mids:
            k, m = keys[mid], mentions[mid]
            labels[k.label] += 1
            ner[k.type] += 1
            if k.type == "Person" and m.label == "PERSON" and len(_clean(m.name).split()) < len(k.label.split()):
                votes["Person"] += PERSON_VOTE  # "Gazzola said": a surname that stands for the whole name
            t = ew.name_type(k.label) if k.type != "Concept" else None  # "months in prison" is no place's name
            if t:
                votes[t] += NAME_WORDS_VOTE
            if m.cue == NOT_PERSON:
                not_person += CONTEXT_VOTE
            elif m.cue:
                weak = m.cue == "Organization" and m.label == "PERSON" and len(m.name.split()) >= 2
                votes[m.cue] += WEAK_CONTEXT_VOTE if weak else CONTEXT_VOTE
            if ew.no_person_shape(k.label):
                not_person += NAME_WORDS_VOTE
            if m.title:
                votes["Person"] += PERSON_VOTE
            ner["Person"] += referred[mid]  # coreference chose it as a PERSON reading: NER's evidence again
            qid = qid or k.qid
        for t, n in ner.items():
            # NER reads one name the same way wherever it repeats it: n readings weigh sqrt(n)
            votes[t] += (CONCEPT_VOTE if t == "Concept" else NER_VOTE) * math.sqrt(n)
        if not_person and votes["Person"] > 0:
            # NER's usual confusion: a name that is no person's, read as one, is an organisation's
            moved = min(not_person, votes["Person"])
            votes["Person"] -= moved
            votes["Organization"] += moved
        type_ = max(votes, key=lambda t: (votes[t], -TYPE_PRECEDENCE.index(t)))
        label = max(labels, key=lambda x: (labels[x], x))
        for mid in mids:
            keys[mid] = Key(type_, label, qid, ident, keys[mid].alias)

"""The numbers of the extraction rules, in one place: confidences and search windows.

A relation's confidence starts from its rule's base below, is lowered for what makes the
reading less sure (a subject taken over from another verb, a passive, an argument reached
through coreference) and is kept within ``[CONF_MIN, CONF_MAX]``. The windows bound how far a
rule looks: in sentences, in dependency hops up the tree, or in quotations back.
"""

from __future__ import annotations

# ---------------------------------------------------------------- confidences
#: verb relations: the verb's own subject, or one taken over (coordination, control, relative clause)
VERB_CONF = 0.7
INHERITED_SUBJECT_CONF = 0.6
#: lowered for a passive, for a symmetric verb with coordinated subjects, for a light verb + event noun
PASSIVE_PENALTY = 0.05
SYMMETRIC_PENALTY = 0.05
LIGHT_VERB_PENALTY = 0.05
#: "supplied weapons to Russia": the recipient as a second object
RECIPIENT_PENALTY = 0.1
#: an object that is a specific common noun data/concepts.yaml does not know ("restructuring process")
SPECIFIC_CONCEPT_PENALTY = 0.1
#: an event noun with its agent ("Xi's trip to Moscow", "talks between X and Y")
NOMINAL_CONF = 0.6
#: a construction pattern without a verb: "the New York-based firm X", "Cincinnati, Ohio" (kg.extract.patterns)
CONSTRUCTION_CONF = 0.75
#: roles: a title written with the name, an apposition, an unnamed role linked to a later name
TITLE_CONF = 0.85
APPOSITION_CONF = 0.75
INDEFINITE_ROLE_CONF = 0.5
#: a role stated by a clause ("X is the CEO of Y", "Y named X its chief executive")
COPULA_CONF = 0.7
#: lowered for a post in a department of the organisation ("director of research at Acme")
DEPARTMENT_PENALTY = 0.1
#: a subject or object reached through a pronoun or description
COREF_PENALTY = 0.1
CONF_MIN, CONF_MAX = 0.05, 0.99
CONF_DIGITS = 3

# ---------------------------------------------------------------- windows
#: a personal pronoun's antecedent: a person at most this many sentences back
PRONOUN_SENTENCES = 3
#: "its", "they": a country, organisation or group at most this many sentences back
NONPERSON_SENTENCES = 2
#: a fact rests on a pronoun only when its referent is named at most this many sentences back
FACT_PRONOUN_SENTENCES = 1
#: "he said": the speaker is the subject of a main clause at most this many sentences of narration back
SPEAKER_PRONOUN_SENTENCES = 3
#: a partial quotation counts if a speech or calling verb governs it at most this many hops up the tree
PARTIAL_QUOTE_HOPS = 4
#: "saying", "adding": hops up the tree from a speech verb without a subject to the verb that has one
SPEECH_SUBJECT_HOPS = 2
#: a quotation left open at its paragraph's end is closed by a stray closing mark at most this many
#: paragraphs on (the re-opening marks of the paragraphs between were lost)
QUOTE_REPAIR_PARAGRAPHS = 2
#: quoted words in title case with at most this many words are a name or title, not a quotation
TITLE_MAX_WORDS = 12
#: an unnamed "<org> <title>" is linked to a person named with that title this many sentences around
INDEFINITE_ROLE_SENTENCES = 3
#: hops up the tree from a verb to the evidential noun that negates it ("no signs that ...")
EVIDENTIAL_HOPS = 4
#: hops up the tree from a verb to the verb that gives it its modality ("plans to speak")
MODALITY_HOPS = 3
#: hops up the tree from a verb to a condition it is part of ("if China decides to send ...")
CONDITION_HOPS = 6
#: hops up the tree from a verb to the speech verb of indirect speech ("X said that ...")
REPORTED_HOPS = 3
#: how deep an argument is followed through transparent nouns ("calls for talks on ...")
ARGUMENT_DEPTH = 3
#: prepositional phrases followed from a transparent noun ("calls from Poland for reparations")
PP_CHAIN_DEPTH = 2
#: the longest name (in tokens) looked up as a name seen elsewhere or in the gazetteer, longest first
NAME_NGRAMS = (3, 2, 1)
#: tokens before a short ORG/GPE name read as the start of a title ("Secretary of State")
TITLE_LOOKBACK = 3
#: an ORG/GPE name of at most this many tokens may be the end of a title
TITLE_TAIL_TOKENS = 2
#: an ORG-tagged name of this many capitalised proper nouns may be a person's
PERSON_NAME_TOKENS = (2, 3)
#: a quotation has at least this many word tokens (not punctuation) inside its marks
MIN_QUOTE_TOKENS = 2
#: a concept's label has at least this many characters, unless data/concepts.yaml names it
MIN_CONCEPT_CHARS = 3

# ---------------------------------------------------------------- open relations
#: an open relation (kg.extract.openrel): subject - verb - named object, below the vocabulary's VERB_CONF
#: (its label is the text's own verb, not a predicate whose sense a rule checked)
OPEN_CONF = 0.6
#: lowered for a subject taken over from another verb, a passive, a prepositional object
#: ("play against X"), a light verb's noun ("held talks with X")
OPEN_INHERITED_PENALTY = 0.1
OPEN_PASSIVE_PENALTY = 0.05
OPEN_PREP_PENALTY = 0.05
OPEN_LIGHT_PENALTY = 0.05

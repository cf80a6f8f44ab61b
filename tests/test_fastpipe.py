"""kg.fastpipe: the attribute ruler's index gives spaCy's Matcher's matches, the memo lemmatizer spaCy's
lemmas, and the pipeline the same Doc as the stock one."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler

from kg import fastpipe
from kg.nlp import DEFAULT_MODEL, load

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ["ORTH", "TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SENT_START", "NORM"]
# contractions and spellings the English ruler has multi-token and regex rules for, spaces, tabs
ODD = [
    "Ain't nobody gonna stop us, y'all. Let's go, c'mon! There is nothin' there and there are gotta be reasons.",
    "I don't know.  It   isn't\tso.\n\nHe said \"no\" -- twice; NASA's U.S. office wasn't told.",
    "",
    "   ",
    "Whether or not the Commission agrees, it will, albeit slowly, act unless told otherwise.",
]


@pytest.fixture(scope="module")
def pipelines():
    stock = spacy.load(DEFAULT_MODEL)
    fast = spacy.load(DEFAULT_MODEL)
    assert fastpipe.install(fast) == 2  # the ruler's matcher and the lemmatizer
    return stock, fast


def _texts() -> list[str]:
    articles = sorted((ROOT / "data" / "articles").glob("*.txt"))
    assert articles
    return ODD + [p.read_text(encoding="utf-8") for p in articles]


def test_same_annotations_as_the_stock_pipeline(pipelines):
    stock, fast = pipelines
    texts = _texts()
    for _ in range(2):  # the second time from the lemmatizer's memo and the ruler's
        for a, b in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
            assert (a.to_array(COLUMNS) == b.to_array(COLUMNS)).all(), a.text[:60]
            assert [(t.lemma_, str(t.morph), t.pos_) for t in a] == [(t.lemma_, str(t.morph), t.pos_) for t in b]
        assert fast("").to_bytes() == stock("").to_bytes()


def test_every_rule_of_the_english_ruler_is_compiled(pipelines):
    index = pipelines[1].get_pipe("attribute_ruler").matcher
    assert isinstance(index, fastpipe.TokenPatternIndex)
    assert index.compiled > 150 and index.left == 0


def test_kg_pipeline_has_the_stand_ins():
    nlp = load()
    assert isinstance(nlp.get_pipe("attribute_ruler").matcher, fastpipe.TokenPatternIndex)
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert isinstance(lemmatizer, fastpipe.MemoLemmatizer) and lemmatizer.mode == "rule"
    assert nlp.pipe_names.index("lemmatizer") == nlp.pipe_names.index("attribute_ruler") + 1


def test_memo_lemmatizer_overwrite_and_preset_lemmas(pipelines):
    stock, fast = pipelines

    def before_lemmatizer(nlp, text):
        doc = nlp.make_doc(text)
        for name, proc in nlp.pipeline:
            if name == "lemmatizer":
                return doc
            doc = proc(doc)

    text = "The ministers were meeting"
    lemmatizer = fast.get_pipe("lemmatizer")
    doc = before_lemmatizer(fast, text)
    doc[1].lemma_ = "KEEP"  # set before the lemmatizer (as the ruler's exceptions are): kept
    assert [t.lemma_ for t in lemmatizer(doc)] == ["the", "KEEP", "be", "meet"]
    lemmatizer.stock.overwrite = stock.get_pipe("lemmatizer").overwrite = True
    try:  # overwrite: every lemma recomputed, the ruler's exceptions too ("were" stays "were")
        expected = [t.lemma_ for t in stock.get_pipe("lemmatizer")(before_lemmatizer(stock, text))]
        assert [t.lemma_ for t in lemmatizer(doc)] == expected
        assert expected[1] == "minister"
    finally:
        lemmatizer.stock.overwrite = stock.get_pipe("lemmatizer").overwrite = False


PATTERNS = [
    [{"LOWER": "the"}],
    [{"TEXT": "The"}],
    [{"ORTH": "US", "TAG": "NNP"}],
    [{"TAG": {"IN": ["NN", "NNS"]}}],
    [{"TAG": {"NOT_IN": ["NN", "NNS", "DT"]}, "DEP": {"IN": ["nsubj", "dobj"]}}],
    [{"DEP": {"NOT_IN": ["det", ""]}}],
    [{"LOWER": {"REGEX": "^n'?t$"}}],
    [{"IS_PUNCT": True}],
    [{"IS_SPACE": False, "IS_TITLE": True}],
    [{}],
    [{"LOWER": "do"}, {"LOWER": {"IN": ["n't", "not"]}}],
    [{"POS": "DET"}, {}, {"TAG": "NN"}],
    [{"LOWER": "very", "OP": "+"}, {"POS": "ADJ"}],  # an operator: left to a Matcher
    [{"LENGTH": {">=": 5}}],  # a comparison: left to a Matcher
    [{"LOWER": {"FUZZY": "goverment"}}],  # fuzzy: left to a Matcher
]


@pytest.mark.parametrize("pattern", PATTERNS, ids=[str(p) for p in PATTERNS])
def test_same_matches_as_spacy_matcher(pattern, pipelines):
    nlp = pipelines[0]
    doc = nlp("The US government don't plan a very very big deal; it did not. The goverment, said NASA,  is\tready.")
    matcher = Matcher(nlp.vocab)
    matcher.add("R", [pattern])
    index = fastpipe.TokenPatternIndex(matcher, ["R"])
    expected = sorted(set(matcher(doc, allow_missing=True)))
    assert expected or pattern in ([{"LENGTH": {">=": 5}}],)  # most patterns match something here
    assert sorted(set(index(doc, allow_missing=True))) == expected
    assert sorted(set(index(doc, allow_missing=True))) == expected  # and again, from the memo


def test_patterns_added_later_and_callbacks(pipelines):
    nlp = pipelines[0]
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "deal"}]], {"LEMMA": "DEAL"})
    fastpipe.install_on(ruler)
    ruler.add([[{"LOWER": "plan"}, {"POS": "DET"}]], {"LEMMA": "PLAN"})  # after the index is in place
    doc = ruler(nlp("They plan a deal"))
    assert [t.lemma_ for t in doc][1:] == ["PLAN", "a", "DEAL"]
    hits = []
    index = ruler.matcher
    index.add("CB", [[{"LOWER": "a"}]], on_match=lambda m, d, i, ms: hits.append(i))
    index(doc, allow_missing=True)
    assert hits == [0]


def test_stand_ins_survive_pickling(pipelines):
    """spaCy pickles the components for n_process > 1 where processes are spawned (macOS, Windows)."""
    import pickle

    stock, fast = pipelines
    ruler = pickle.loads(pickle.dumps(fast.get_pipe("attribute_ruler")))
    lemmatizer = pickle.loads(pickle.dumps(fast.get_pipe("lemmatizer")))
    assert isinstance(ruler.matcher, fastpipe.TokenPatternIndex) and isinstance(lemmatizer, fastpipe.MemoLemmatizer)
    text = "Officials weren't saying whether the talks had gone well, y'all."
    doc = fast.make_doc(text)
    for name, proc in fast.pipeline:
        doc = {"attribute_ruler": ruler, "lemmatizer": lemmatizer}.get(name, proc)(doc)
    expected = stock(text)
    assert (doc.to_array(COLUMNS) == expected.to_array(COLUMNS)).all()
    assert [t.lemma_ for t in doc] == [t.lemma_ for t in expected]


def test_word_lists_answer_in_as_lists_do():
    """The lemmatizer's lemma_index lists get a set lookup for `in`; otherwise still lists."""
    import pickle

    import srsly

    from kg.fastpipe import _WordList

    words = _WordList(["meet", "minister", "be"])
    assert "meet" in words and "meeting" not in words and words == ["meet", "minister", "be"]
    words.append("meeting")  # a changed list is looked up again
    assert "meeting" in words
    assert pickle.loads(pickle.dumps(words)) == words and "meeting" in pickle.loads(pickle.dumps(words))
    assert srsly.msgpack_loads(srsly.msgpack_dumps({"noun": words})) == {"noun": list(words)}
    table = load().get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert table and all(isinstance(v, _WordList) for v in table.values())

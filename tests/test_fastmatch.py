"""kg.fastmatch: the attribute ruler's index gives spaCy's Matcher's matches, and the same Doc."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler

from kg import fastmatch
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
    assert fastmatch.install(fast) == 1
    return stock, fast


def _texts() -> list[str]:
    articles = sorted((ROOT / "data" / "articles").glob("*.txt"))
    assert articles
    return ODD + [p.read_text(encoding="utf-8") for p in articles]


def test_same_annotations_as_the_stock_pipeline(pipelines):
    stock, fast = pipelines
    texts = _texts()
    for a, b in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
        assert (a.to_array(COLUMNS) == b.to_array(COLUMNS)).all(), a.text[:60]
        assert [(t.lemma_, str(t.morph), t.pos_) for t in a] == [(t.lemma_, str(t.morph), t.pos_) for t in b]


def test_every_rule_of_the_english_ruler_is_compiled(pipelines):
    index = pipelines[1].get_pipe("attribute_ruler").matcher
    assert isinstance(index, fastmatch.TokenPatternIndex)
    assert index.compiled > 150 and index.left == 0


def test_kg_pipeline_has_the_index():
    assert isinstance(load().get_pipe("attribute_ruler").matcher, fastmatch.TokenPatternIndex)


def test_ruler_serialisation_unchanged(pipelines):
    stock, fast = pipelines
    assert fast.get_pipe("attribute_ruler").patterns == stock.get_pipe("attribute_ruler").patterns
    assert fast.get_pipe("attribute_ruler").to_bytes() == stock.get_pipe("attribute_ruler").to_bytes()


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
    index = fastmatch.TokenPatternIndex(matcher, ["R"])
    expected = sorted(set(matcher(doc, allow_missing=True)))
    assert expected or pattern in ([{"LENGTH": {">=": 5}}],)  # most patterns match something here
    assert sorted(set(index(doc, allow_missing=True))) == expected
    assert sorted(set(index(doc, allow_missing=True))) == expected  # and again, from the memo


def test_patterns_added_later_and_callbacks(pipelines):
    nlp = pipelines[0]
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"LOWER": "deal"}]], {"LEMMA": "DEAL"})
    fastmatch.install_on(ruler)
    ruler.add([[{"LOWER": "plan"}, {"POS": "DET"}]], {"LEMMA": "PLAN"})  # after the index is in place
    doc = ruler(nlp("They plan a deal"))
    assert [t.lemma_ for t in doc][1:] == ["PLAN", "a", "DEAL"]
    hits = []
    index = ruler.matcher
    index.add("CB", [[{"LOWER": "a"}]], on_match=lambda m, d, i, ms: hits.append(i))
    index(doc, allow_missing=True)
    assert hits == [0]

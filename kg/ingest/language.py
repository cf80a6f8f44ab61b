"""A cheap "is this English?" check of an article's text, used by the build to leave out
articles in other languages (the spaCy model reads English only)."""

from __future__ import annotations

import re

# Frequent English function words: about 40% of the words of English news prose, a few
# percent of French, German, Spanish or Italian prose ("a", "an", "was" are left out: they
# are also Romance or German words).
_ENGLISH_WORDS = frozenset(
    "about after against all also and are as at be because been before but by can could "
    "did do does for from had has have he her his how i if in into is it its it's more my no "
    "not of on or our out over said says she should so than that the their them there these "
    "they this those to under up we were what when which while who will with would you".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
LANGUAGE_SAMPLE = 20_000  # characters looked at
MIN_ENGLISH_SHARE = 0.10  # of the words, when there are at least MIN_WORDS of them
MIN_WORDS = 20


def language_problem(text: str) -> str | None:
    """``None`` if ``text`` may be English, else why not (``"does not look like English (...)"``).

    Cheap and conservative, on the first :data:`LANGUAGE_SAMPLE` characters: a text mostly
    written in a non-Latin script, or (with at least :data:`MIN_WORDS` words) one in which
    fewer than :data:`MIN_ENGLISH_SHARE` of the words are English function words ("the",
    "of", "said", ...). Short texts in Latin script always pass.
    """
    sample = text[:LANGUAGE_SAMPLE]
    words = _WORD.findall(sample)
    letters = sum(len(w) for w in words)
    if letters == 0:
        return "does not look like English (no words)"
    latin = sum(1 for w in words for c in w if c < "\u0250")
    if letters >= 8 and latin < 0.5 * letters:
        return "does not look like English (mostly non-Latin script)"
    if len(words) >= MIN_WORDS:
        share = sum(1 for w in words if w.lower() in _ENGLISH_WORDS) / len(words)
        if share < MIN_ENGLISH_SHARE:
            return f"does not look like English (only {share:.0%} of the words are English function words)"
    return None

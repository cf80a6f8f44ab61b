"""Read news articles from files, directories or stdin into :class:`kg.model.Article` records.

Supported inputs:

* ``.txt`` / ``.md`` / ``.markdown``: plain text with optional YAML front matter
  (``title``, ``date``, ``source``, ``url``, ``author``), else perhaps a headline as first line
  (:mod:`.headline`); the id is the path relative to the folder named, without extension
  (:func:`doc_id_for`); a folder's ``_meta.yaml`` gives defaults (:mod:`.folders`).
* ``.jsonl``: one JSON object per line with ``id`` and ``text`` (plus optional
  ``title``, ``date``, ``source``, ``url``).
* ``.html`` / ``.htm``: main text and metadata extracted with ``trafilatura``.
* ``-``: stdin, read as JSONL if its first non-blank character is ``{``, else as one
  plain-text article with id ``stdin``.
* ``http(s)://...``: a web page, an RSS/Atom feed or a sitemap (:mod:`.web`, fetched politely by
  :mod:`.fetch`); ids from canonical URLs.

Bad input never raises: :func:`read_articles` yields a :class:`Problem` (with a one-line
reason) and carries on. Any exception while reading, decoding, parsing front matter or JSON of
one input (or one JSONL line) becomes that input's Problem; the known ones have their own
reasons (``invalid JSON: nested too deeply``), anything else ``could not be read (...)``.
Every article's text goes through :func:`normalize_text`. Duplicate articles are *not*
removed here; that happens later, by content hash. :func:`read_inputs` yields the same items
wrapped in :class:`Read` records that also say where each came from (file and JSONL line) and
carry :class:`Note` warnings about what was read all the same (a fallback encoding, an
invalid date left out, invalid Unicode replaced).

A directory is walked without leaving it: a symbolic link inside it whose target lies
outside is skipped (a Problem) unless ``follow_symlinks``; a file named directly is read.
:func:`language_problem` is a cheap "is this English?" check, used by the build.

The modules, data flowing down the list:

* :mod:`.sources` - :func:`read_inputs`: each input name to its source (the place for
  sources other than files and stdin);
* :mod:`.files` and :mod:`.walk` - the path source: files, folders, the symbolic-link policy,
  with :mod:`.folders` (``_meta.yaml``); :mod:`.stdin` - the stdin source; :mod:`.web` and
  :mod:`.fetch` - the web source;
* :mod:`.decoding` - bytes to text (charsets);
* :mod:`.formats` - text/markdown, JSONL, HTML to Articles, with :mod:`.frontmatter` (YAML),
  :mod:`.headline` (a first line as headline) and :mod:`.fields` (ids and metadata values);
* :mod:`.normalize` - text normalisation, paragraphs, repeats dropped;
* :mod:`.language` - the English check;
* :mod:`.records` - Problem, Note, Read and the package's logger (``kg.ingest``).

Importing the package loads neither PyYAML, trafilatura, feedparser nor the HTTP client (nor
spaCy): each is imported when a front matter, an HTML page or a URL is first read.
"""

from __future__ import annotations

from .decoding import looks_binary
from .fields import META_FIELDS, MAX_ID_LENGTH, doc_id_for
from .files import MAX_FILE_BYTES
from .formats import SUFFIXES, parse_jsonl
from .frontmatter import MAX_FRONT_MATTER_CHARS
from .language import LANGUAGE_SAMPLE, MIN_ENGLISH_SHARE, MIN_WORDS, language_problem
from .normalize import has_surrogates, normalize_text
from .records import Note, Problem, Read, logger
from .sources import Options, read_articles, read_inputs, source_for
from .stdin import STDIN, STDIN_ID, STDIN_SOURCE

__all__ = [
    "LANGUAGE_SAMPLE", "MAX_FILE_BYTES", "MAX_FRONT_MATTER_CHARS", "MAX_ID_LENGTH", "META_FIELDS", "MIN_ENGLISH_SHARE",
    "MIN_WORDS", "STDIN", "STDIN_ID", "STDIN_SOURCE", "SUFFIXES", "Note", "Options", "Problem", "Read", "doc_id_for",
    "has_surrogates", "language_problem", "logger", "looks_binary", "normalize_text", "parse_jsonl", "read_articles",
    "read_inputs", "source_for",
]

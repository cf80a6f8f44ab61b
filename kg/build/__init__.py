"""The build: read, select, parse and extract (in this process, worker processes or a Dask
cluster), resolve and write articles into a store.

* :mod:`kg.build.driver` - :func:`build` and :func:`remove`, through one writer session;
* :mod:`kg.build.report` - :class:`BuildReport`, what a build did;
* :mod:`kg.build.select` - which articles a build parses;
* :mod:`kg.build.chunks` - articles too long for one parse, in pieces;
* :mod:`kg.build.stages` - extraction stages and their one fallback; :mod:`kg.build.pool`
  (``--workers N``), :mod:`kg.build.cluster` (``--dask``).
"""

from .chunks import merge_chunk_graphs, split_text
from .driver import COMMIT_EVERY, ExtractionSpool, build, remove
from .report import BuildReport, problem_kind
from .select import MAX_ARTICLE_CHARS, select_articles
from .stages import ExtractionStage, local_extractions

__all__ = ["COMMIT_EVERY", "MAX_ARTICLE_CHARS", "BuildReport", "ExtractionSpool", "ExtractionStage", "build",
           "local_extractions", "merge_chunk_graphs", "problem_kind", "remove", "select_articles", "split_text"]

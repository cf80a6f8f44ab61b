"""kg: a knowledge-graph builder for news articles.

Stages, data flowing one way:
``ingest -> nlp -> extract -> resolve -> rdf -> store -> query/export/serve``.
Plain frozen dataclasses from :mod:`kg.model` pass between stages.
Nothing heavy happens at import time.
"""

__version__ = "0.1.0"

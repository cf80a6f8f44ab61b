"""kg: a knowledge-graph builder for news articles.

Stages, data flowing one way:
``ingest -> nlp -> extract -> resolve -> rdf -> store -> query/export/serve``.
Plain frozen dataclasses from :mod:`kg.model` pass between stages.
Nothing heavy happens at import time.

The Python API is :mod:`kg.api`; its entry point is importable from here::

    import kg
    with kg.open("kg-store") as g:
        g.build(["data/articles"])
"""

__version__ = "0.1.0"
_API = ("open", "KnowledgeGraph")  # kg.api's, looked up on first use


def __getattr__(name: str):
    if name in _API:  # kg.api imports pyoxigraph: only when asked for
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

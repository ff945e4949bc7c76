"""Client-side search: tokenize, stem per language, write the sharded index (see index.py)."""

from sitegen.search.index import ROOT, SearchDoc, build_search_index, facet_key, root_attribute
from sitegen.search.memo import SearchMemo
from sitegen.search.text import fold, stem, term_key, tokenize

__all__ = [
    "ROOT",
    "SearchDoc",
    "SearchMemo",
    "build_search_index",
    "facet_key",
    "fold",
    "root_attribute",
    "stem",
    "term_key",
    "tokenize",
]

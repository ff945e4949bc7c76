"""Client-side search: tokenize, stem per language, write the sharded index (see index.py)."""

from sitegen.search.index import SearchDoc, build_search_index, facet_key
from sitegen.search.memo import SearchMemo
from sitegen.search.text import fold, stem, term_key, tokenize

__all__ = [
    "SearchDoc",
    "SearchMemo",
    "build_search_index",
    "facet_key",
    "fold",
    "stem",
    "term_key",
    "tokenize",
]

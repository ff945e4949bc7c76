"""Words to index keys: tokenize, drop stop words, stem per language, fold diacritics.

Every function here has a twin in the search client (themes/default/templates/partials/
search-client.html); the two must agree byte for byte, since the browser looks up the keys
the build wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

MIN_LEN = 2
MAX_LEN = 40

_WORD = re.compile(r"\w+")  # with '_' replaced by ' ' first: runs of letters and digits
_STEMMABLE = re.compile(r"[\x00-\u024f]+")
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
    }
)

# One set for all languages, as the query's language is not known. Keep in sync with the client.
_STOP_LINES = (
    "a an and are as at be been but by can could did do does for from had has have he her his i",
    "if in into is it its not of on or our she so than that the their them then there these they",
    "this those to was we were what when where which who will with would you",
    "aber als am an auch auf aus bei bin bis da damit dass dem den der des die dies diese diesem",
    "dieser dieses doch durch ein eine einem einen einer eines er es für hat hatte ich ihr ihre im",
    "ist ja kann man mit nach nicht noch nur ob oder sich sie sind so um und uns vom von vor war",
    "wie wir wird wurde zu zum zur über",
)
STOPWORDS = frozenset(word for line in _STOP_LINES for word in line.split())


def tokenize(text: str) -> list[str]:
    """The words of `text`, lower-cased: runs of letters and digits after NFC normalization."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower().replace("_", " "))


def fold(word: str) -> str:
    """Lower-case, strip diacritics (ü -> u) and spell out ligatures (ß -> ss, æ -> ae)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word.lower().translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def language(lang: str) -> str:
    """The primary subtag of a BCP 47 code: 'de-AT' -> 'de'."""
    return lang.split("-", 1)[0].split("_", 1)[0].lower()


def _pystemmer(name: str) -> Callable[[str], str] | None:
    try:
        import Stemmer
    except ImportError:
        return None
    snowball = Stemmer.Stemmer(name)
    snowball.maxCacheSize = 0  # KeyMap memoizes; PyStemmer's own cache thrashes on big corpora
    stem: Callable[[str], str] = snowball.stemWord
    return stem


def _snowball(name: str) -> Callable[[str], str]:
    try:
        import snowballstemmer
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("search needs PyStemmer or snowballstemmer installed") from err
    stem: Callable[[str], str] = snowballstemmer.stemmer(name).stemWord
    return stem


STEMMERS = {"de": "german", "en": "english"}


def stemmer(lang: str) -> Callable[[str], str] | None:
    """A Snowball stemmer for a language ('de', 'en'), or None where there is none."""
    name = STEMMERS.get(language(lang))
    if name is None:
        return None
    return _pystemmer(name) or _snowball(name)


def stem(word: str, lang: str) -> str:
    """`word` stemmed for `lang`; only Latin-script words are stemmed, others pass unchanged."""
    return _stem_with(stemmer(lang), word)


def _stem_with(fn: Callable[[str], str] | None, word: str) -> str:
    if fn is None or not (word.isascii() or _STEMMABLE.fullmatch(word)):
        return word
    return fn(word)


def indexable(word: str) -> bool:
    """Whether a token becomes a key: not a stop word, 2 to 40 characters."""
    return MIN_LEN <= len(word) <= MAX_LEN and word not in STOPWORDS


def term_key(word: str, lang: str) -> str | None:
    """The index key of one token in a document of language `lang`, or None if not indexed."""
    if not indexable(word):
        return None
    return fold(stem(word, lang))


class KeyMap(dict[str, str | None]):
    """Token -> key (None: not indexed) for one language, filled on first sight of a word."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._stem = stemmer(lang)

    def __missing__(self, word: str) -> str | None:
        key = fold(_stem_with(self._stem, word)) if indexable(word) else None
        self[word] = key
        return key

    def keys_of(self, words: Iterable[str]) -> set[str]:
        """The keys of some words."""
        return {key for key in map(self.__getitem__, words) if key}

    def count(self, words: list[str]) -> Counter[str]:
        """How often each key occurs among `words`, counted in C: this is the hot loop."""
        counts: Counter[str | None] = Counter(map(self.__getitem__, words))
        counts.pop(None, None)
        return counts  # type: ignore[return-value]

"""What a previous build knew: parsed articles and route fingerprints, kept in .sitegen-cache/."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from sitegen import __version__
from sitegen.model import Article

CACHE_DIR = ".sitegen-cache"
FORMAT = 1


@dataclass
class CachedFile:
    mtime_ns: int
    size: int
    content_hash: str
    article: Article


@dataclass
class BuildState:
    """Everything the next build may reuse. Valid only for the same version and config."""

    key: str  # sitegen version + cache format + config fingerprint
    output: str  # the output folder this state describes
    articles: dict[str, CachedFile] = field(default_factory=dict)
    routes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # key -> fp, files
    manifest: dict[str, str] = field(default_factory=dict)  # output file -> hash of its bytes


def state_key(config_fingerprint: str) -> str:
    return f"{__version__}/{FORMAT}/{config_fingerprint}"


def state_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / "state.pickle"


def load_state(site_dir: Path, key: str, output: Path) -> tuple[BuildState | None, str | None]:
    """The previous state, or None with a notice saying why it cannot be used."""
    path = state_path(site_dir)
    if not path.exists():
        return None, None
    try:
        with path.open("rb") as handle:
            state = pickle.load(handle)
    except Exception as error:  # a cache is never worth a failed build
        return None, f"build cache unreadable ({type(error).__name__}); rebuilding everything"
    if not isinstance(state, BuildState):
        return None, "build cache is foreign; rebuilding everything"
    if state.output != str(output):
        return BuildState(key, str(output), articles=state.articles if state.key == key else {}), (
            None
        )
    if state.key != key:
        return None, "sitegen version or site.yaml changed; rebuilding everything"
    return state, None


def save_state(site_dir: Path, state: BuildState) -> None:
    folder = site_dir / CACHE_DIR
    folder.mkdir(exist_ok=True)
    (folder / ".gitignore").write_text("*\n", encoding="utf-8")
    temp = folder / f"state.pickle.tmp{os.getpid()}"
    with temp.open("wb") as handle:
        pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temp, state_path(site_dir))


def clear_state(site_dir: Path) -> bool:
    path = state_path(site_dir)
    if path.exists():
        path.unlink()
        return True
    return False

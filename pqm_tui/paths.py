"""Where PQM keeps its files (platformdirs); nothing is created at import time."""

from __future__ import annotations

import shlex
from pathlib import Path

import platformdirs

APP_NAME = "pqm"


def data_dir() -> Path:
    """The user data directory, created on first use."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    """The database used when neither --db nor PQM_DB is given."""
    return data_dir() / "pqm.sqlite3"


def pqm_command(db_path: Path | None) -> str:
    """How a command reaches this database: ``pqm``, or ``pqm --db PATH`` (quoted for a
    shell) when it is not the default one — else the command would go to the default."""
    if db_path is None or db_path.resolve() == default_db_path().resolve():
        return "pqm"
    return f"pqm --db {shlex.quote(str(db_path))}"


def media_dir(db_path: Path) -> Path:
    """The photo store belonging to a database: ``<db name>.media`` beside it."""
    return db_path.with_name(db_path.name + ".media")


def render_log(db_path: Path) -> Path:
    """WeasyPrint's warnings about a database's documents: ``<db name>.render.log`` beside it."""
    return db_path.with_name(db_path.name + ".render.log")


def keys_dir(db_path: Path) -> Path:
    """Signing keys belonging to a database: ``<db name>.keys`` beside it."""
    return db_path.with_name(db_path.name + ".keys")


def user_templates_dir() -> Path:
    """Company template overrides (letterhead, logo): ``<data dir>/templates``."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "templates"


def package_templates_dir() -> Path:
    """Templates shipped with PQM: inside the installed package, else the checkout."""
    installed = Path(__file__).parent / "templates"
    if installed.is_dir():
        return installed
    return Path(__file__).parent.parent / "templates"


def compiled_templates_dir() -> Path:
    """Compiled document templates kept between runs (a cache: safe to delete)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "compiled-templates"


def compiled_catalog_path(lang: str) -> Path:
    """The compiled message catalogue of ``lang`` kept between runs (a cache: safe to delete)."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "i18n" / f"{lang}.marshal"

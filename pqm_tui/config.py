"""Settings: one object, read once at start and passed in (never read globally).

Sources, later wins: defaults, the YAML file ``<data dir>/config.yaml`` (or
``PQM_CONFIG``), environment variables ``PQM_*``, command-line options.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from pqm_tui.model.errors import PQMError

Language = Literal["zh", "en"]


class ScoreBand(BaseModel):
    """A band of the monthly score (考核档位) and its pay consequence."""

    min_score: Decimal
    label_zh: str
    label_en: str
    pay_adjust_percent: int = 0


DEFAULT_BANDS = [
    ScoreBand(min_score=Decimal(95), label_zh="优秀", label_en="Excellent", pay_adjust_percent=10),
    ScoreBand(min_score=Decimal(90), label_zh="良好", label_en="Good", pay_adjust_percent=5),
    ScoreBand(min_score=Decimal(80), label_zh="合格", label_en="Satisfactory"),
    ScoreBand(
        min_score=Decimal(75),
        label_zh="待改进",
        label_en="Needs improvement",
        pay_adjust_percent=-5,
    ),
    ScoreBand(
        min_score=Decimal(0), label_zh="不合格", label_en="Unsatisfactory", pay_adjust_percent=-10
    ),
]


class Settings(BaseModel):
    """Everything configurable about PQM."""

    db: Path | None = None
    lang: Language = "zh"
    timezone: str = ""  # IANA name; empty = the system's
    deadline_days: int = Field(default=7, ge=1, le=90)
    carry_over_points: Decimal = Field(default=Decimal(2), ge=0)
    photo_max_pixels: int = Field(default=1600, ge=200)
    company_name: str = ""
    issuing_department: str = "品质管理部"  # who issues notices (签发部门)
    bands: list[ScoreBand] = Field(default_factory=lambda: list(DEFAULT_BANDS))

    @field_validator("bands")
    @classmethod
    def _sorted_bands(cls, bands: list[ScoreBand]) -> list[ScoreBand]:
        if not bands:
            raise ValueError("at least one score band is needed")
        return sorted(bands, key=lambda b: b.min_score, reverse=True)


class SettingsError(PQMError):
    """The configuration file or an environment variable is invalid."""


ENV_KEYS = {"PQM_DB": "db", "PQM_LANG": "lang", "PQM_TZ": "timezone"}


def config_file_path() -> Path:
    """The configuration file: ``PQM_CONFIG`` or ``<data dir>/config.yaml``."""
    explicit = os.environ.get("PQM_CONFIG")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir("pqm", appauthor=False)) / "config.yaml"


def load_settings(**overrides: object) -> Settings:
    """Merge defaults, config file, environment and ``overrides`` (None = not given)."""
    data: dict[str, object] = {}
    path = config_file_path()
    if path.is_file():
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise SettingsError("errors.settings.unreadable", path=path, detail=str(exc)) from None
        if not isinstance(loaded, dict):
            raise SettingsError("errors.settings.not_mapping", path=path)
        data.update(loaded)
    for env, key in ENV_KEYS.items():
        if os.environ.get(env):
            data[key] = os.environ[env]
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SettingsError(
            "errors.settings.invalid", path=path, field=where, detail=first["msg"]
        ) from None

"""Settings: one object, read once at start and passed in (never read globally).

Sources, later wins: defaults, the YAML file ``<config dir>/config.yaml`` (or
``PQM_CONFIG``), environment variables ``PQM_*``, command-line options. A wrong
value is reported with the source that gave it (the file, the variable or the option).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pqm_tui.model.errors import PQMError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

Language = Literal["zh", "en"]


@dataclass(frozen=True)
class Within:
    """The bounds of a setting (取值范围): at least ``ge``, at most ``le``, or at least
    ``min_length`` items. Read by pydantic when it checks a configuration file (its
    usual errors: greater_than_equal …); building settings in code checks nothing."""

    ge: int | Decimal | None = None
    le: int | None = None
    min_length: int | None = None

    def __get_pydantic_core_schema__(self, source: object, handler: Callable[[object], Any]) -> Any:
        schema = handler(source)  # the int, decimal or list schema the bounds apply to
        bounds = {"ge": self.ge, "le": self.le, "min_length": self.min_length}
        schema.update({name: value for name, value in bounds.items() if value is not None})
        return schema


@dataclass
class ScoreBand:
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


Combine = Literal["mean", "min", "last"]
# the inspection kinds (model.entities.InspectionKind) by their stored values
Kind = Literal["self", "cross", "monthly", "special", "night", "mystery", "re-inspection"]


@dataclass
class AssessmentRules:
    """How the monthly assessment is computed (考核规则): company policy, configurable.

    ``kinds``: the inspection kinds counted (by default the quality group's monthly
    checks, 城市公司月检); ``combine``: how several counted checks of a month make one
    score (mean, the lowest, or the last one); ``close_day``: the day the month is
    scored and closes (每月30日, the month's last day when shorter, as in February);
    ``red_line_points``: extra points deducted per red-line finding (红线) of a counted
    check, 0 = none.
    """

    kinds: Annotated[list[Kind], Within(min_length=1)] = field(
        default_factory=lambda: list[Kind](["monthly"])
    )
    combine: Combine = "mean"
    close_day: Annotated[int, Within(ge=1, le=31)] = 30
    red_line_points: Annotated[Decimal, Within(ge=Decimal(0))] = Decimal(0)


@dataclass
class Settings:
    """Everything configurable about PQM.

    A plain dataclass: building one costs nothing at start. The values of a
    configuration file are checked by pydantic (loaded only then, ``load_settings``);
    the constraints are the ``Within`` bounds of the fields.
    """

    db: Path | None = None
    lang: Language = "zh"
    timezone: str = ""  # IANA name; empty = the system's
    deadline_days: Annotated[int, Within(ge=1, le=90)] = 7
    carry_over_points: Annotated[Decimal, Within(ge=Decimal(0))] = Decimal(2)
    photo_max_pixels: Annotated[int, Within(ge=200)] = 1600
    company_name: str = ""
    issuing_department: str = "品质管理部"  # who issues notices (签发部门)
    # the highest band first (sorted when made)
    bands: Annotated[list[ScoreBand], Within(min_length=1)] = field(
        default_factory=lambda: list(DEFAULT_BANDS)
    )
    assessment: AssessmentRules = field(default_factory=AssessmentRules)
    # largest checklist file imported, in MB
    checklist_max_mb: Annotated[int, Within(ge=1, le=100)] = 5
    keymap: dict[str, str] = field(default_factory=dict)  # binding id → keys, e.g. walk.pass: g

    def __post_init__(self) -> None:
        self.bands = sorted(self.bands, key=lambda b: b.min_score, reverse=True)


def known_timezone(name: object) -> bool:
    """True for "" (the system's) and an IANA zone this system knows."""
    if not isinstance(name, str):
        return False
    if not name:
        return True
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


class SettingSource(StrEnum):
    """Where a setting was given (设置来源): named when its value is wrong."""

    FILE = "file"
    ENV = "env"
    OPTION = "option"


class SettingsError(PQMError):
    """A setting is invalid; ``lang`` is the language to say it in, when the settings read so
    far name a valid one (None: the one asked for by option or environment)."""

    def __init__(self, key: str, /, lang: str | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.lang = lang


CONFIG_BYTES, CONFIG_DEPTH = 1024 * 1024, 10  # a configuration is a few lines
ENV_KEYS = {"PQM_DB": "db", "PQM_LANG": "lang", "PQM_TZ": "timezone"}
OPTIONS = {"db": "--db", "lang": "--lang", "timezone": "--tz"}  # the CLI's option of a setting
# a wrong value of these has its own message; others say the field and pydantic's reason
OWN_MESSAGES = {"timezone": "config.err.timezone", "lang": "config.err.lang"}


def config_file_path() -> Path:
    """The configuration file: ``PQM_CONFIG`` or ``<config dir>/config.yaml``."""
    explicit = os.environ.get("PQM_CONFIG")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_config_dir("pqm", appauthor=False)) / "config.yaml"


def load_settings(**overrides: object) -> Settings:
    """Merge defaults, config file, environment and ``overrides`` (None = not given).

    ``overrides`` are the command-line options, by setting name (``timezone`` for ``--tz``).
    """
    data: dict[str, object] = {}
    given: dict[str, tuple[SettingSource, str]] = {}  # setting → where it was given
    path = config_file_path()
    if path.is_file():
        # the YAML reader loads only when there is a file to read (start-up time)
        from pqm_tui.model.file_limits import (
            FileLimitError,
            Limits,
            decode_text,
            load_yaml,
            read_bytes,
        )

        limits = Limits(max_bytes=CONFIG_BYTES, max_depth=CONFIG_DEPTH)
        try:
            text = decode_text(read_bytes(path, limits), legacy=False)
            loaded = load_yaml(text, limits) or {}
        except FileLimitError as exc:  # said in the user's words, with its line
            raise SettingsError("config.err.unreadable", path=str(path), reason=exc) from None
        if not isinstance(loaded, dict):
            raise SettingsError("config.err.not_mapping", path=str(path))
        data.update(loaded)
        given.update({str(key): (SettingSource.FILE, str(path)) for key in loaded})
    for env, key in ENV_KEYS.items():
        if os.environ.get(env):
            data[key] = os.environ[env]
            given[key] = (SettingSource.ENV, env)
    for key, value in overrides.items():
        if value is not None:
            data[key] = value
            given[key] = (SettingSource.OPTION, OPTIONS.get(key, key))
    lang = str(data["lang"]) if data.get("lang") in get_args(Language) else "zh"
    for setting in ("lang", "timezone"):  # checked first, in the fields' order: own messages
        if setting in data and not OWN_CHECKS[setting](data[setting]):
            own = OWN_MESSAGES[setting]
            origin, name = given.get(setting, (SettingSource.FILE, str(path)))
            where = {"origin": origin, "name": name}
            raise SettingsError(own, lang=lang, value=data[setting], **where)
    if set(data) <= SIMPLE and all(isinstance(v, str | Path) for v in data.values()):
        # the usual start (options and variables only): nothing left to check
        db = data.get("db")
        return Settings(
            db=None if db is None else Path(str(db)),
            lang=cast(Language, data.get("lang", "zh")),
            timezone=str(data.get("timezone", "")),
        )
    return _validated(data, given, path, lang)


SIMPLE = {"db", "lang", "timezone"}  # settings checked above when given as text


def known_language(name: object) -> bool:
    return name in get_args(Language)


OWN_CHECKS: dict[str, Callable[[object], bool]] = {
    "timezone": known_timezone,
    "lang": known_language,
}


def _validated(
    data: dict[str, object], given: dict[str, tuple[SettingSource, str]], path: Path, lang: str
) -> Settings:
    """The settings of ``data`` checked by pydantic; SettingsError naming the first wrong one."""
    from pydantic import ValidationError

    from pqm_tui.model.value_errors import value_error

    try:
        settings = _adapter().validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        setting = str(first["loc"][0]) if first["loc"] else ""
        origin, name = given.get(setting, (SettingSource.FILE, str(path)))
        where = {"origin": origin, "name": name}
        field_name = ".".join(str(p) for p in first["loc"])
        key, params = value_error(first)
        problem = {"field": field_name, "detail": PQMError(key, **params)}
        raise SettingsError("config.err.invalid", lang=lang, **problem, **where) from None
    return settings


def _adapter() -> TypeAdapter[Settings]:
    from pydantic import TypeAdapter

    return TypeAdapter(Settings)


def rules_from_record(record: dict[str, Any]) -> tuple[AssessmentRules, list[ScoreBand]]:
    """The rules and bands as recorded (JSON) with an assessment, the bands highest first."""
    from pydantic import TypeAdapter

    rules = TypeAdapter(AssessmentRules).validate_python(
        {k: v for k, v in record.items() if k != "bands"}
    )
    bands = TypeAdapter(list[ScoreBand]).validate_python(record["bands"])
    return rules, sorted(bands, key=lambda b: b.min_score, reverse=True)

"""pydantic's complaints about a value, as message ids of ours (取值错误).

pydantic says what is wrong with a value in English (``err["msg"]``); users read
``errors.value.*`` instead, filled from the error's context. Used by the
checklist file and the settings.
"""

from __future__ import annotations

import re
from typing import Any

# pydantic's error type → (our message id, its placeholder, the pydantic context field)
PYDANTIC_ERRORS = {
    "missing": ("errors.value.missing", "", ""),
    "extra_forbidden": ("errors.value.unknown_field", "", ""),
    "string_too_short": ("errors.value.empty", "", ""),
    "too_short": ("errors.value.empty", "", ""),
    "string_too_long": ("errors.value.too_long", "limit", "max_length"),
    "too_long": ("errors.value.too_many", "limit", "max_length"),
    "greater_than": ("errors.value.not_above", "limit", "gt"),
    "greater_than_equal": ("errors.value.not_at_least", "limit", "ge"),
    "less_than": ("errors.value.not_below", "limit", "lt"),
    "less_than_equal": ("errors.value.not_at_most", "limit", "le"),
    "enum": ("errors.value.not_one_of", "expected", "expected"),
    "literal_error": ("errors.value.not_one_of", "expected", "expected"),
    "decimal_parsing": ("errors.value.not_number", "", ""),
    "decimal_type": ("errors.value.not_number", "", ""),
    "decimal_max_places": ("errors.value.decimal_places", "limit", "decimal_places"),
    "decimal_max_digits": ("errors.value.too_precise", "limit", "max_digits"),
    "decimal_whole_digits": ("errors.value.too_precise", "limit", "whole_digits"),
    "finite_number": ("errors.value.not_finite", "", ""),
    "int_parsing": ("errors.value.not_integer", "", ""),
    "int_type": ("errors.value.not_integer", "", ""),
    "int_from_float": ("errors.value.not_integer", "", ""),
    "float_parsing": ("errors.value.not_number", "", ""),
    "float_type": ("errors.value.not_number", "", ""),
    "bool_parsing": ("errors.value.not_bool", "", ""),
    "bool_type": ("errors.value.not_bool", "", ""),
    "string_type": ("errors.value.not_text", "", ""),
    "list_type": ("errors.value.not_list", "", ""),
    "dict_type": ("errors.value.not_mapping", "", ""),
    "model_type": ("errors.value.not_mapping", "", ""),
    "model_attributes_type": ("errors.value.not_mapping", "", ""),
    "path_type": ("errors.value.not_text", "", ""),
}


def value_error(err: Any) -> tuple[str, dict[str, object]]:
    """The message id and parameters of one of pydantic's errors (``exc.errors()``)."""
    kind, ctx = err["type"], dict(err.get("ctx") or {})
    if kind not in PYDANTIC_ERRORS:
        return "errors.value.invalid", {}
    key, placeholder, field = PYDANTIC_ERRORS[kind]
    if not field:
        return key, {}
    value: object = ctx.get(field)
    if kind in ("enum", "literal_error"):  # "'a', 'b' or 'c'": listed in the user's language
        value = tuple(re.findall(r"'([^']*)'", str(value)))
    return key, {placeholder: value}

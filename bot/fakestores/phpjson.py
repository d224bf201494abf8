"""JSON encoded byte for byte as WordPress's `wp_json_encode` (PHP `json_encode` with no flags) writes it.

WooCommerce signs `trim(wp_json_encode($payload))`, so a stand-in that serialised with Python's defaults would
sign different bytes than a real store: PHP escapes "/" as "\\/", writes every non-ASCII character as a lowercase
`\\uXXXX` (astral ones as surrogate pairs), leaves DEL (0x7f) as is, puts no spaces after ":" or ",", and
writes an empty array as `[]`.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["php_json_encode"]
_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS = re.compile(r'["\\/\x00-\x1f\u0080-\U0010ffff]')


def _char(match: re.Match) -> str:
    c = match.group()
    if c in _ESCAPES:
        return _ESCAPES[c]
    code = ord(c)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _string(text: str) -> str:
    return '"' + _NEEDS.sub(_char, text) + '"'


def _float(value: float) -> str:
    # PHP ≥ 7.1 (serialize_precision = -1) writes the shortest round-trip form and keeps ".0" on whole floats.
    if math.isnan(value) or math.isinf(value):
        raise ValueError("PHP's json_encode fails on NAN and INF")
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa if "." in mantissa else mantissa + ".0"
        return f"{mantissa}e{'+' if not exponent.startswith('-') else ''}{exponent.lstrip('+')}"
    return text


def php_json_encode(value: Any) -> str:
    """`wp_json_encode(value)` as PHP writes it (dicts are PHP associative arrays, lists are lists)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        if not value:
            return "[]"  # an empty PHP array is a list to json_encode, whatever it stood for
        return "{" + ",".join(f"{_string(str(k))}:{php_json_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(php_json_encode(v) for v in value) + "]"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")

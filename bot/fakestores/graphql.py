"""Just enough GraphQL for the Shopify stand-in: parse a document, answer only the fields a query selects, and
price it the way Shopify prices queries.

Not a GraphQL server: there is no schema. Values are plain dicts with a `__typename`; a field whose value is a
callable takes the field's arguments (connections: `first`, `after`, …). Selecting a field the object lacks is an
`undefinedField` error, as on Shopify, so a client that relies on a field it never asked for fails here too.
Cost follows Shopify's documented defaults (scalar 0, object 1, connection 2 + first × its node, mutation 10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GraphQLError", "Field", "Fragment", "Operation", "parse", "execute", "requested_cost"]

_TOKEN = re.compile(r'''
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<punct>\.\.\.|[!$()\[\]{}:=@|&])
''', re.VERBOSE)
# Which abstract types an object type answers `... on X` for (Order.discountApplications is an interface list).
IMPLEMENTS = {
    "DiscountCodeApplication": {"DiscountApplication"},
    "AutomaticDiscountApplication": {"DiscountApplication"},
    "ManualDiscountApplication": {"DiscountApplication"},
    "ScriptDiscountApplication": {"DiscountApplication"},
    "MoneyV2": {"PricingValue"},
    "PricingPercentageValue": {"PricingValue"},
    "DiscountCodeBasic": {"DiscountCode"},
}


class GraphQLError(Exception):
    """An error GraphQL reports in `errors[]` (HTTP 200), with Shopify's `extensions.code`."""

    def __init__(self, message: str, code: str | None = None, **extensions: Any):
        super().__init__(message)
        self.code, self.extensions = code, extensions

    def as_json(self) -> dict:
        """The entry for the response's `errors` list."""
        extensions = {"code": self.code, **self.extensions} if self.code else dict(self.extensions)
        return {"message": str(self), **({"extensions": extensions} if extensions else {})}


@dataclass
class Var:
    name: str


@dataclass
class Field:
    name: str
    alias: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    selections: list = field(default_factory=list)
    directives: dict[str, dict] = field(default_factory=dict)


@dataclass
class Fragment:
    """An inline fragment (`... on T {}`) or, with `spread`, a named one to look up."""

    type_condition: str | None
    selections: list = field(default_factory=list)
    spread: str | None = None
    directives: dict[str, dict] = field(default_factory=dict)


@dataclass
class Operation:
    kind: str  # "query" or "mutation"
    name: str | None
    defaults: dict[str, Any]
    selections: list
    fragments: dict[str, Fragment]


def parse(text: str, operation_name: str | None = None) -> Operation:
    """The operation to run (the named one, or the only one) with its document's fragments; GraphQLError on bad
    syntax."""
    parser = _Parser(text)
    operations, fragments = [], {}
    while not parser.done():
        if parser.peek() == "fragment":
            parser.take()
            name = parser.name()
            parser.expect("on")
            fragments[name] = Fragment(parser.name(), parser.selection_set())
        else:
            operations.append(parser.operation())
    for op in operations:
        op.fragments = fragments
    chosen = [op for op in operations if operation_name is None or op.name == operation_name]
    if len(chosen) != 1:
        raise GraphQLError("An operation name is required" if chosen else f"No operation named \"{operation_name}\"")
    return chosen[0]


def execute(root: dict, op: Operation, variables: dict) -> dict:
    """The `data` of `op` run against `root`; GraphQLError for a field `root` does not have."""
    return _project(root, op.selections, _Context(op.fragments, {**op.defaults, **(variables or {})}), [])


def requested_cost(op: Operation, variables: dict, sizes: dict[str, int] | None = None) -> int:
    """Shopify's calculated cost of `op`; `sizes` (top-level field → objects returned) gives the actual cost."""
    if op.kind == "mutation":
        return 10
    ctx = _Context(op.fragments, {**op.defaults, **(variables or {})})
    total = 0
    for sel in _fields(op.selections, ctx):
        size = (sizes or {}).get(sel.alias or sel.name)
        total += _field_cost(sel, ctx, size)
    return total


# -- execution -------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    fragments: dict[str, Fragment]
    variables: dict[str, Any]

    def value(self, value: Any) -> Any:
        if isinstance(value, Var):
            return self.variables.get(value.name)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value


def _included(directives: dict[str, dict], ctx: _Context) -> bool:
    if "skip" in directives and ctx.value(directives["skip"].get("if")):
        return False
    return not ("include" in directives and not ctx.value(directives["include"].get("if")))


def _fields(selections: list, ctx: _Context, typename: str | None = None):
    """The fields selected on an object of `typename`, fragments flattened (None: every fragment applies)."""
    for sel in selections:
        if not _included(sel.directives, ctx):
            continue
        if isinstance(sel, Field):
            yield sel
            continue
        frag = ctx.fragments.get(sel.spread) if sel.spread else sel
        if frag is None:
            raise GraphQLError(f"Fragment {sel.spread} was used, but not defined", "useAndDefineFragment")
        cond = frag.type_condition
        if typename is None or cond is None or cond == typename or cond in IMPLEMENTS.get(typename, ()):
            yield from _fields(frag.selections, ctx, typename)


def _project(obj: dict, selections: list, ctx: _Context, path: list) -> dict:
    typename = obj.get("__typename", "Object")
    out: dict[str, Any] = {}
    for sel in _fields(selections, ctx, typename):
        key = sel.alias or sel.name
        if sel.name == "__typename":
            out[key] = typename
            continue
        if sel.name not in obj:
            raise GraphQLError(f"Field '{sel.name}' doesn't exist on type '{typename}'", "undefinedField",
                               typeName=typename, fieldName=sel.name)
        value = obj[sel.name]
        if callable(value):
            value = value(ctx.value(sel.args))
        out[key] = _shape(value, sel, ctx, [*path, key])
    return out


def _shape(value: Any, sel: Field, ctx: _Context, path: list) -> Any:
    if isinstance(value, list):
        return [_shape(v, sel, ctx, path) for v in value]
    if isinstance(value, dict):
        if not sel.selections:
            raise GraphQLError(f"Field must have selections (field '{sel.name}' returns an object)",
                               "selectionMismatch")
        return _project(value, sel.selections, ctx, path)
    return value


def _field_cost(sel: Field, ctx: _Context, size: int | None = None) -> int:
    if not sel.selections:
        return 0
    args = ctx.value(sel.args)
    count = args.get("first") or args.get("last")
    inner = list(_fields(sel.selections, ctx))
    if count is None:
        return 1 + sum(_field_cost(s, ctx) for s in inner)
    node_cost = 0
    for s in inner:  # connection: its nodes and edges{node} are priced once each per object
        if s.name == "nodes":
            node_cost = max(node_cost, 1 + sum(_field_cost(n, ctx) for n in _fields(s.selections, ctx)))
        elif s.name == "edges":
            for n in _fields(s.selections, ctx):
                if n.name == "node":
                    node_cost = max(node_cost, _field_cost(n, ctx))
    return 2 + (count if size is None else size) * node_cost


# -- parsing ---------------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str):
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:
                raise GraphQLError(f"Parse error on \"{text[pos]}\" at offset {pos}", "parseError")
            if match.lastgroup != "skip":
                self.tokens.append((match.lastgroup, match.group()))
            pos = match.end()
        self.i = 0

    def done(self) -> bool:
        return self.i >= len(self.tokens)

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.done():
            raise GraphQLError("Parse error: unexpected end of document", "parseError")
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> None:
        kind, got = self.take()
        if got != text:
            raise GraphQLError(f"Parse error on \"{got}\": expected \"{text}\"", "parseError")

    def name(self) -> str:
        kind, got = self.take()
        if kind != "name":
            raise GraphQLError(f"Parse error on \"{got}\": expected a name", "parseError")
        return got

    def operation(self) -> Operation:
        if self.peek() == "{":
            return Operation("query", None, {}, self.selection_set(), {})
        kind = self.name()
        if kind not in ("query", "mutation", "subscription"):
            raise GraphQLError(f"Parse error on \"{kind}\"", "parseError")
        name = self.name() if self.tokens[self.i][0] == "name" else None
        defaults: dict[str, Any] = {}
        if self.peek() == "(":
            self.take()
            while self.peek() != ")":
                self.expect("$")
                var = self.name()
                self.expect(":")
                self._type()
                if self.peek() == "=":
                    self.take()
                    defaults[var] = self.value()
            self.take()
        self.directives()
        return Operation(kind, name, defaults, self.selection_set(), {})

    def _type(self) -> None:
        if self.peek() == "[":
            self.take()
            self._type()
            self.expect("]")
        else:
            self.name()
        if self.peek() == "!":
            self.take()

    def selection_set(self) -> list:
        self.expect("{")
        selections = []
        while self.peek() != "}":
            if self.peek() == "...":
                self.take()
                if self.peek() == "on":
                    self.take()
                    cond = self.name()
                    directives = self.directives()
                    selections.append(Fragment(cond, self.selection_set(), directives=directives))
                elif self.peek() in ("{", "@"):
                    directives = self.directives()
                    selections.append(Fragment(None, self.selection_set(), directives=directives))
                else:
                    spread = self.name()
                    selections.append(Fragment(None, spread=spread, directives=self.directives()))
                continue
            name, alias = self.name(), None
            if self.peek() == ":":
                self.take()
                alias, name = name, self.name()
            args = self.arguments()
            directives = self.directives()
            subs = self.selection_set() if self.peek() == "{" else []
            selections.append(Field(name, alias, args, subs, directives))
        self.take()
        return selections

    def arguments(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.peek() == "(":
            self.take()
            while self.peek() != ")":
                key = self.name()
                self.expect(":")
                args[key] = self.value()
            self.take()
        return args

    def directives(self) -> dict[str, dict]:
        found = {}
        while self.peek() == "@":
            self.take()
            name = self.name()
            found[name] = self.arguments()
        return found

    def value(self) -> Any:
        kind, text = self.take()
        if text == "$":
            return Var(self.name())
        if kind == "number":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "string":
            return _unescape(text[1:-1])
        if kind == "block":
            return text[3:-3].replace('\\"""', '"""')
        if text == "[":
            items = []
            while self.peek() != "]":
                items.append(self.value())
            self.take()
            return items
        if text == "{":
            obj = {}
            while self.peek() != "}":
                key = self.name()
                self.expect(":")
                obj[key] = self.value()
            self.take()
            return obj
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(text, text)  # other names are enum values
        raise GraphQLError(f"Parse error on \"{text}\"", "parseError")


def _unescape(text: str) -> str:
    escapes = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
    return re.sub(r'\\(u[0-9A-Fa-f]{4}|.)',
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "u" and len(m.group(1)) == 5
                  else escapes.get(m.group(1), m.group(1)), text)

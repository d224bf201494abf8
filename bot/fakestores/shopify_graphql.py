"""The Admin GraphQL API of the Shopify stand-in (FakeShopify mixes it in): the `orders` connection with its search
filter and cursor pages, `order(id:)`, `shop`, and `discountCodeBasicCreate`, each priced and throttled by the
leaky bucket as ../shared/stores/README.md §3–§4 say."""

from __future__ import annotations

import base64
import bisect
import json
import math
import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from bot.fakestores import graphql
from bot.fakestores.server import Call, Reply
from bot.fakestores.shopify_orders import ShopifyOrder, parse_stamp
from bot.fakestores.shopify_views import connection, node_view

INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
THROTTLED = {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation":
                                                    "https://shopify.dev/api/usage/rate-limits"}}
_SEARCH_TERM = re.compile(r"""(\w+):(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))""")
# Sort values as numbers (epoch seconds for times) so the index sorts and bisects quickly.
_SORT_KEYS = {"ID": lambda o: o.id, "UPDATED_AT": lambda o: o.updated_at.timestamp(),
              "CREATED_AT": lambda o: o.created_at.timestamp(), "PROCESSED_AT": lambda o: o.created_at.timestamp(),
              "ORDER_NUMBER": lambda o: o.number}
MAX_PAGE = 250
_TIME_SORTS = {"UPDATED_AT", "CREATED_AT", "PROCESSED_AT"}
_REQUIRED = {"title": "Title", "code": "Code", "startsAt": "Starts at", "customerGets": "Customer gets"}


class AdminGraphQL:
    """`/admin/api/<version>/graphql.json` for FakeShopify: its `orders`, `discounts`, `bucket`, `tokens` and lock."""

    def _graphql(self, call: Call, version: str) -> Reply:
        if not self._authorized(call):
            return Reply(401, INVALID_TOKEN)
        try:
            request = json.loads(call.body)
            text = request["query"]
            variables = request.get("variables") or {}
            if not isinstance(text, str) or not isinstance(variables, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return Reply(400, {"errors": {"query": "Required parameter missing or invalid"}})
        try:
            op = graphql.parse(text, request.get("operationName"))
            requested = graphql.requested_cost(op, variables)
        except graphql.GraphQLError as error:
            return Reply(200, {"errors": [error.as_json()]})
        if requested > self.max_query_cost:
            return Reply(200, {"errors": [{"message": f"Query cost is {requested}, which exceeds the single query "
                                           f"max cost limit ({self.max_query_cost}).",
                                           "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                          "maxCost": self.max_query_cost}}],
                               "extensions": {"cost": self._cost(requested, None)}})
        with self._lock:
            self.bucket.refill(time.monotonic())
            if requested > self.bucket.available:
                self.violations += 1
                if self.throttle:
                    self.throttled += 1
                    return self._throttled(requested)
            self.bucket.available = max(0.0, self.bucket.available - requested)
            sizes: dict[str, int] = {}
            try:
                data = graphql.execute(self._root(op, sizes), op, variables)
                errors = []
            except graphql.GraphQLError as error:
                data, errors = None, [error.as_json()]
            actual = graphql.requested_cost(op, variables, sizes) if data is not None else requested
            self.bucket.available = min(self.bucket.size, self.bucket.available + max(0, requested - actual))
            body: dict[str, Any] = {"data": data} if data is not None else {}
            if errors:
                body["errors"] = errors
            body["extensions"] = {"cost": self._cost(requested, actual)}
            return Reply(200, body)

    def _cost(self, requested: int, actual: int | None) -> dict:
        return {"requestedQueryCost": requested, "actualQueryCost": actual,
                "throttleStatus": {"maximumAvailable": self.bucket.size,
                                   "currentlyAvailable": math.floor(self.bucket.available),
                                   "restoreRate": self.bucket.rate}}

    def _throttled(self, requested: int) -> Reply:
        """THROTTLED in a 200 body, or (throttle_status=429) the same body with HTTP 429 and a Retry-After: the facts
        say both are seen [SAJ-throttle][CR-throttle]."""
        body = {"errors": [THROTTLED], "extensions": {"cost": self._cost(requested, None)}}
        if self.throttle_status == 429:
            wait = math.ceil((requested - self.bucket.available) / self.bucket.rate) if self.bucket.rate else 1
            return Reply(429, body, {"Retry-After": str(max(1, wait))})
        return Reply(200, body)

    def _root(self, op: graphql.Operation, sizes: dict[str, int]) -> dict:
        if op.kind == "mutation":
            return {"__typename": "Mutation",
                    "discountCodeBasicCreate": lambda args: self._discount_create(args.get("basicCodeDiscount"))}
        shop = {"__typename": "Shop", "name": self.shop.split(".")[0], "myshopifyDomain": self.shop,
                "currencyCode": self.currency, "ianaTimezone": "Etc/GMT", "id": "gid://shopify/Shop/1"}

        def orders(args: dict) -> dict:
            page = self._orders_page(args)
            sizes["orders"] = len(page["nodes"])
            return page

        return {"__typename": "QueryRoot", "shop": shop, "orders": orders,
                "order": lambda args: self._order_by_gid(args.get("id"))}

    def _order_by_gid(self, gid: Any) -> dict | None:
        order = self.orders.get(int(str(gid).rsplit("/", 1)[-1])) if str(gid).rsplit("/", 1)[-1].isdigit() else None
        return node_view(order, self.shop) if order else None

    def _orders_page(self, args: dict) -> dict:
        """The `orders` connection: forward pages of `first` (≤ 250) after a cursor, sorted by `sortKey` (then id),
        filtered by the search `query` (created_at/updated_at/processed_at with > >= < <=, id:>; other terms are
        ignored, as Shopify ignores terms it does not know). Without `read_all_orders`, only the last 60 days."""
        first = args.get("first")
        if args.get("last") is not None or args.get("before") is not None:
            raise graphql.GraphQLError("This stand-in pages forward only (first/after)", "BAD_REQUEST")
        if not isinstance(first, int) or not 0 < first <= MAX_PAGE:
            raise graphql.GraphQLError(f"The first argument must be between 1 and {MAX_PAGE} (got {first!r})",
                                       "BAD_REQUEST")
        sort_name = str(args.get("sortKey") or "ID")
        if sort_name not in _SORT_KEYS:
            raise graphql.GraphQLError(f"Argument 'sortKey' has an invalid value ({sort_name})",
                                       "argumentLiteralsIncompatible")
        wanted = _search(str(args.get("query") or ""))
        if "read_all_orders" not in self.scope:
            oldest = datetime.fromtimestamp(self.clock(), timezone.utc) - timedelta(days=60)
            wanted.append(lambda o: o.created_at >= oldest)
        keys, orders = self._index(sort_name)
        back, after = bool(args.get("reverse")), args.get("after")
        if after:
            mark = _decode_cursor(after, sort_name)
            at = bisect.bisect_left(keys, mark) - 1 if back else bisect.bisect_right(keys, mark)
        else:
            at = len(keys) - 1 if back else 0
        step = -1 if back else 1
        page: list[tuple[tuple, ShopifyOrder]] = []
        more = False
        while 0 <= at < len(keys):
            order = orders[at]
            if all(w(order) for w in wanted):
                if len(page) == first:
                    more = True
                    break
                page.append((keys[at], order))
            at += step
        nodes = [node_view(o, self.shop) for _, o in page]
        cursors = [_encode_cursor(sort_name, key) for key, _ in page]
        return {"__typename": "OrderConnection", "nodes": nodes,
                "edges": [{"__typename": "OrderEdge", "cursor": c, "node": n} for c, n in zip(cursors, nodes)],
                "pageInfo": {"__typename": "PageInfo", "hasNextPage": more,
                             "hasPreviousPage": bool(after), "startCursor": cursors[0] if cursors else None,
                             "endCursor": cursors[-1] if cursors else None}}

    def _index(self, sort_name: str) -> tuple[list[tuple], list[ShopifyOrder]]:
        """Orders sorted by (sort value, id), rebuilt only after orders changed: paging 20,000 orders stays fast."""
        stamp = (len(self.orders), self._changes)
        cached = self._indexes.get(sort_name)
        if cached is None or cached[0] != stamp:
            key = _SORT_KEYS[sort_name]
            rows = sorted(((key(o), o.id), o) for o in self.orders.values())
            cached = self._indexes[sort_name] = (stamp, [k for k, _ in rows], [o for _, o in rows])
        return cached[1], cached[2]

    def _discount_create(self, spec: Any) -> dict:
        """discountCodeBasicCreate [D-dci]: TAKEN for an existing code (case-insensitive) [EMU]; missing required
        input (title, code, startsAt, customerGets, context/customerSelection) is a BLANK user error (our choice:
        the facts name the required fields, not the error)."""
        spec = spec if isinstance(spec, dict) else {}
        errors = [{"__typename": "DiscountUserError", "field": ["basicCodeDiscount", name], "code": "BLANK",
                   "message": f"{label} can't be blank", "extraInfo": None}
                  for name, label in _REQUIRED.items() if not spec.get(name)]
        if not (spec.get("context") or spec.get("customerSelection")):
            errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", "context"],
                           "code": "BLANK", "message": "Context can't be blank", "extraInfo": None})
        code = str(spec.get("code") or "")
        with self._lock:
            if code and code.lower() in self.discounts:
                errors.append({"__typename": "DiscountUserError", "field": ["basicCodeDiscount", "code"],
                               "code": "TAKEN", "message": "Code must be unique. Please try a different code.",
                               "extraInfo": None})
            if errors:
                return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": None, "userErrors": errors}
            node = self._create_discount(spec)
        return {"__typename": "DiscountCodeBasicCreatePayload", "codeDiscountNode": node, "userErrors": []}

    def _create_discount(self, spec: dict) -> dict:
        with self._lock:
            number = len(self.discounts) + 1_000_000_001
            code = str(spec["code"])
            value = ((spec.get("customerGets") or {}).get("value") or {})
            if "percentage" in value:
                gets = {"__typename": "DiscountPercentage", "percentage": float(value["percentage"])}
            else:
                amount = (value.get("discountAmount") or {})
                gets = {"__typename": "DiscountAmount", "appliesOnEachItem": bool(amount.get("appliesOnEachItem")),
                        "amount": {"__typename": "MoneyV2", "amount": str(amount.get("amount", "0.0")),
                                   "currencyCode": self.currency}}
            starts, ends = spec.get("startsAt"), spec.get("endsAt")
            now = datetime.fromtimestamp(self.clock(), timezone.utc)
            status = ("SCHEDULED" if starts and parse_stamp(starts) > now else
                      "EXPIRED" if ends and parse_stamp(ends) <= now else "ACTIVE")
            redeem = {"__typename": "DiscountRedeemCode", "id": f"gid://shopify/DiscountRedeemCode/{number}",
                      "code": code, "asyncUsageCount": 0}
            basic = {"__typename": "DiscountCodeBasic", "title": spec.get("title"), "status": status,
                     "startsAt": starts, "endsAt": ends, "summary": spec.get("title"),
                     "usageLimit": spec.get("usageLimit"),
                     "appliesOncePerCustomer": bool(spec.get("appliesOncePerCustomer")),
                     "asyncUsageCount": 0, "codes": connection([redeem], "DiscountRedeemCode"),
                     "customerGets": {"__typename": "DiscountCustomerGets", "value": gets,
                                      "items": {"__typename": "AllDiscountItems", "allItems": True}}}
            node = {"__typename": "DiscountCodeNode", "id": f"gid://shopify/DiscountCodeNode/{number}",
                    "codeDiscount": basic}
            self.discounts[code.lower()] = {"input": spec, "node": node}
            return node


def _search(query: str) -> list[Callable[[ShopifyOrder], bool]]:
    """Filters for the search terms this stand-in understands."""
    fields = {"updated_at": lambda o: o.updated_at, "created_at": lambda o: o.created_at,
              "processed_at": lambda o: o.created_at, "id": lambda o: o.id}
    ops = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
           None: lambda a, b: a == b}
    wanted = []
    for name, op, q1, q2, bare in _SEARCH_TERM.findall(query):
        if name not in fields:
            continue
        text = q1 or q2 or bare
        bound: Any = int(text) if name == "id" else parse_stamp(text)
        get, compare = fields[name], ops[op or None]
        wanted.append(lambda o, get=get, compare=compare, bound=bound: compare(get(o), bound))
    return wanted


def _encode_cursor(sort_name: str, key: tuple) -> str:
    value, order_id = key
    shown = datetime.fromtimestamp(value, timezone.utc).isoformat() if sort_name in _TIME_SORTS else value
    raw = json.dumps({"last_id": order_id, "last_value": shown}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode_cursor(cursor: Any, sort_name: str) -> tuple[Any, int]:
    try:
        data = json.loads(base64.b64decode(str(cursor), validate=True))
        value = data["last_value"]
        if sort_name in _TIME_SORTS:
            value = parse_stamp(value).timestamp()
        return value, int(data["last_id"])
    except (ValueError, KeyError, TypeError) as error:
        raise graphql.GraphQLError(f"Invalid cursor for current pagination sort ({cursor!r})",
                                   "BAD_REQUEST") from error

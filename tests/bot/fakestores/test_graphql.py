"""The small GraphQL reader behind the Shopify stand-in: what a client may write (variables with defaults, aliases,
named and inline fragments, directives) is understood, and costs follow Shopify's documented defaults."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from bot.fakestores import graphql

ROOT = {"__typename": "QueryRoot",
        "shop": {"__typename": "Shop", "name": "roi-test", "currencyCode": "USD"},
        "items": lambda args: {"__typename": "ItemConnection",
                               "nodes": [{"__typename": "Item", "id": n, "kind": {"__typename": "MoneyV2",
                                                                                  "amount": "1.00"}}
                                         for n in range(args.get("first", 0))],
                               "pageInfo": {"__typename": "PageInfo", "hasNextPage": True}}}


def run(text, variables=None):
    return graphql.execute(ROOT, graphql.parse(text), variables or {})


def test_variables_defaults_aliases_and_fragments():
    text = """
    query Q($n: Int = 2, $with: Boolean!) {
      store: shop { ...ShopBits }
      items(first: $n) { nodes { id kind { ... on MoneyV2 { amount } ... on PricingPercentageValue { percentage } } }
                         pageInfo @include(if: $with) { hasNextPage } }
    }
    fragment ShopBits on Shop { name }
    """
    assert run(text, {"with": False}) == {"store": {"name": "roi-test"},
                                          "items": {"nodes": [{"id": 0, "kind": {"amount": "1.00"}},
                                                              {"id": 1, "kind": {"amount": "1.00"}}]}}


def test_strings_block_strings_and_input_objects_are_read():
    op = graphql.parse('mutation { m(a: "x\\"y\\u00e9", b: """raw "quoted" text""", c: {d: [1, 2.5, null, ENUM]}) '
                       '{ ok } }')
    assert op.kind == "mutation" and op.selections[0].args == {
        "a": 'x"yé', "b": 'raw "quoted" text', "c": {"d": [1, 2.5, None, "ENUM"]}}


@pytest.mark.parametrize("text", ["{ shop { name }", "query { shop { name } } }", "{ shop(first: ) { name } }"])
def test_bad_syntax_is_a_graphql_error(text):
    with pytest.raises(graphql.GraphQLError):
        graphql.parse(text)


def test_cost_is_scalar_0_object_1_connection_2_plus_first_times_node():
    op = graphql.parse("{ shop { name } items(first: 10) { nodes { id kind { amount } } pageInfo { hasNextPage } } }")
    assert graphql.requested_cost(op, {}) == 1 + 2 + 10 * 2
    assert graphql.requested_cost(op, {}, {"items": 3}) == 1 + 2 + 3 * 2
    assert graphql.requested_cost(graphql.parse("mutation { m(a: 1) { ok } }"), {}) == 10


def test_the_stand_ins_import_only_the_standard_library_their_http_layer_and_themselves():
    package = Path(__file__).resolve().parents[3] / "bot" / "fakestores"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                allowed = name.startswith("bot.fakestores") or name == "bot.localhttp" or top == "__future__"
                assert top in sys.stdlib_module_names or allowed, (
                    f"{path.name} imports {name}")

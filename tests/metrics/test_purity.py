"""metrics/ stays pure: no Slack, database, app or handler imports (STYLE.md)."""

import ast
from pathlib import Path

import metrics

FORBIDDEN = {"slack_bolt", "slack_sdk", "sqlalchemy", "bot", "handlers"}


def test_metrics_imports_nothing_impure():
    found = []
    for path in Path(metrics.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert found == []

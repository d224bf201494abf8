"""The layers point one way (ARCHITECTURE.md): metrics ← bot (domain and storage) ← handlers (Slack) ← bot.wiring.

Every import in the packages is read, those inside functions too; only the composition root, bot/wiring/, may
import upward, and of it only bot/wiring/app.py imports handlers/ (the rest of bot/wiring takes the Slack side from
there)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLACK = ("slack_bolt", "slack_sdk")


def imports(path: Path) -> list[str]:
    """Every module a file imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base]).strip(".")
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return found


def layer_of(module: str) -> str | None:
    """The layer a module belongs to, or None for the standard library and third-party packages."""
    parts = module.split(".")
    if parts[0] == "metrics":
        return "metrics"
    if parts[0] == "handlers":
        return "handlers"
    if parts[:2] == ["bot", "wiring"] or parts[:2] == ["bot", "__main__"]:
        return "wiring"
    return "bot" if parts[0] == "bot" else None


ALLOWED = {
    "metrics": {"metrics"},
    "bot": {"metrics", "bot"},
    "handlers": {"metrics", "bot", "handlers"},
    "wiring": {"metrics", "bot", "handlers", "wiring"},
}


def sources(*packages: str) -> list[Path]:
    """The Python files of the packages named."""
    return sorted(p for name in packages for p in (ROOT / name).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", sources("metrics", "bot", "handlers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_a_layer_above_its_own(path):
    own = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
    upward = sorted({m for m in imports(path) if layer_of(m) and layer_of(m) not in ALLOWED[own]})
    assert upward == [], f"{path.relative_to(ROOT)} ({own}) imports {upward}"


def test_only_the_app_factory_imports_handlers_from_outside_it():
    importing = sorted(str(p.relative_to(ROOT)) for p in sources("bot")
                       if any(layer_of(m) == "handlers" for m in imports(p)))
    assert importing == ["bot/wiring/app.py"]


def test_the_domain_talks_to_slack_only_through_the_installation_store():
    # bot.install keeps the OAuth installations (slack_sdk's stores); the Slack stand-in (bot/fakeslack, for the demo,
    # the console and the tests) signs requests as Slack does. Nothing else in the domain speaks Slack.
    speaking = sorted(str(p.relative_to(ROOT)) for p in sources("bot") if not {"wiring", "fakeslack"} & set(p.parts)
                      and any(m.split(".")[0] in SLACK for m in imports(p)))
    assert speaking == ["bot/install.py", "bot/oauth_stores.py"]


def test_the_layer_rules_catch_an_upward_import(tmp_path):
    # The check itself can fail: a domain module importing a listener is seen.
    fake = ROOT / "bot" / "_layer_probe.py"
    fake.write_text("from handlers.deliver import tell\n")
    try:
        with pytest.raises(AssertionError, match="handlers.deliver"):
            test_no_module_imports_a_layer_above_its_own(fake)
    finally:
        fake.unlink()

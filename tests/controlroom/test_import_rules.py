"""The control room's layering (docs/decisions.md, README "Layout"): core imports no domain;
the alarm path and the resident services do not import each other; no domain imports the
HTTP layer; a route imports no other route. A short AST walk over controlroom/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "controlroom"


def _imports(path: Path) -> set[str]:
    """Every controlroom module the file imports, at any depth (function-level too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from controlroom.api.routes import items` imports controlroom.api.routes.items
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m == "controlroom" or m.startswith("controlroom.")}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)


MODULES = {_module(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))}

# (importing package, forbidden package, why)
RULES = [
    ("controlroom.core", "controlroom.alarms", "core imports no domain"),
    ("controlroom.core", "controlroom.services", "core imports no domain"),
    ("controlroom.core", "controlroom.api", "core imports no domain"),
    ("controlroom.alarms", "controlroom.services", "the alarm path and the resident services "
     "do not import each other"),
    ("controlroom.services", "controlroom.alarms", "the alarm path and the resident services "
     "do not import each other"),
    ("controlroom.alarms", "controlroom.api", "no domain imports the HTTP layer"),
    ("controlroom.services", "controlroom.api", "no domain imports the HTTP layer"),
]


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_walk_sees_the_house() -> None:
    # A walk that found nothing would pass every rule.
    assert "controlroom.alarms.service" in MODULES
    assert "controlroom.api.routes.alerts" in MODULES
    assert "controlroom.core.db" in MODULES["controlroom.alarms.models"]


@pytest.mark.parametrize(("importer", "forbidden", "why"), RULES,
                         ids=[f"{a}-not-{b}" for a, b, _ in RULES])
def test_layering(importer: str, forbidden: str, why: str) -> None:
    broken = sorted(f"{mod} imports {imp}" for mod, imps in MODULES.items()
                    if _within(mod, importer) for imp in imps if _within(imp, forbidden))
    assert not broken, f"{why}:\n" + "\n".join(broken)


def test_routes_do_not_import_routes() -> None:
    routes = "controlroom.api.routes"
    broken = sorted(f"{mod} imports {imp}" for mod, imps in MODULES.items()
                    if _within(mod, routes) for imp in imps
                    if _within(imp, routes) and imp not in (routes, mod))
    assert not broken, "routes do not import routes:\n" + "\n".join(broken)

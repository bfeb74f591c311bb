"""docs/ARCHITECTURE.md's import rules, checked: a layer imports only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "paritygate"

_BELOW_GAUNTLET = {
    "phases",
    "probe",
    "compare",
    "stack",
    "config",
    "core",
    "errors",
    "reports",
    "history",
    "paritygate",
}

# layer -> the paritygate layers it may import (besides itself); kept equal to ARCHITECTURE.md
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "core": {"errors"},
    "config": {"core", "errors"},
    "stack": {"config", "core", "errors"},
    "compare": {"core", "errors"},
    "probe": {"compare", "config", "core", "errors"},
    "phases": {"probe", "compare", "stack", "config", "core", "errors"},
    "reports": {"core", "errors"},
    "history": {"core", "errors"},
    "gauntlet": _BELOW_GAUNTLET,
    "cli": {*_BELOW_GAUNTLET, "gauntlet"},
    "demo": set(),
    "__main__": {"cli"},
    "paritygate": set(),  # the package's own __init__
}


def _module_of(path: Path) -> tuple[str, ...]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def _layer(parts: tuple[str, ...]) -> str:
    return parts[1] if len(parts) > 1 else "paritygate"


def _imports(path: Path) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [tuple(alias.name.split(".")) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(tuple(node.module.split(".")))
    return [name for name in found if name[0] == "paritygate"]


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_imports(path: Path) -> None:
    here = _module_of(path)
    layer = _layer(here)
    assert layer in ALLOWED, f"{layer} is not a layer named in docs/ARCHITECTURE.md"
    for target in _imports(path):
        other = _layer(target)
        if other == layer:
            if layer == "phases" and len(here) > 2 and len(target) > 2:
                # one phase never imports another (assess reads PhaseResults only)
                assert here[2] == target[2], f"{'.'.join(here)} imports phase {'.'.join(target)}"
            continue
        assert other in ALLOWED[layer], f"{'.'.join(here)} ({layer}) may not import {'.'.join(target)}"


def test_every_layer_is_documented() -> None:
    text = (PACKAGE.parents[1] / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for layer in ALLOWED:
        if layer not in ("paritygate", "__main__"):
            assert f"| {layer} |" in text, layer

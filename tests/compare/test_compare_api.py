"""The public surface of paritygate.compare and its place in the layers."""

from __future__ import annotations

import ast
from pathlib import Path

import paritygate.compare as compare_pkg

EXPECTED = {
    "ArrayRule", "BodyKind", "Canonical", "Cause", "CompareRules", "Comparison", "Difference", "DivergenceClass",
    "GROUP_BY", "IgnoreRule", "KEY_SEPARATOR", "MAPPINGS", "NoisyPath", "Occurrence", "Outcome", "Response",
    "RuleError", "WireMapping", "body_for_report", "canonicalize", "class_key", "compare", "decompose",
    "detect_noise", "group_causes", "most_severe", "suggest_rule",
    "Flaky", "MatchRule", "NoiseLearner", "NoiseSettings", "Suggestion", "suggestions",
}  # fmt: skip


def test_exported_names() -> None:
    assert set(compare_pkg.__all__) == EXPECTED
    assert all(hasattr(compare_pkg, name) for name in EXPECTED)


def test_compare_imports_only_core_and_errors() -> None:
    allowed = ("paritygate.compare", "paritygate.core", "paritygate.errors")
    package_dir = Path(compare_pkg.__file__).parent
    for module in package_dir.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("paritygate"):
                    assert name.startswith(allowed), f"{module.name} imports {name}"

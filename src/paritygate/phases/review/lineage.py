"""Checking the user's lineage labels against the models the servers say they served.

Lineages are stated, never guessed — but a label can be wrong (a local server serving
the same GGUF under three names). Two checks, each a warning note:

* reviewers of different lineages that were served the **same model** are one lineage:
  their labels are merged for the tally (``served:<model>`` joins them), so three
  answers from one model never "converge across 2 lineages";
* a served model whose name names a known family (``gemma`` → google, ``llama`` → meta,
  ...) that none of the reviewer's labels names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paritygate.config.review import ReviewerConfig
from paritygate.phases.review.reviewers import CallResult

__all__ = ["FAMILIES", "LineageCheck", "check_lineages"]

# Family word in a model name -> the lineage labels that agree with it.
FAMILIES: dict[str, frozenset[str]] = {
    "claude": frozenset({"anthropic", "claude"}),
    "gpt": frozenset({"openai", "gpt"}),
    "gemma": frozenset({"google", "gemma", "gemini", "deepmind"}),
    "gemini": frozenset({"google", "gemini", "gemma", "deepmind"}),
    "llama": frozenset({"meta", "llama"}),
    "mistral": frozenset({"mistral", "mistralai"}),
    "mixtral": frozenset({"mistral", "mistralai"}),
    "qwen": frozenset({"alibaba", "qwen"}),
    "smollm": frozenset({"huggingface", "hf", "smollm"}),
    "kimi": frozenset({"moonshot", "kimi"}),
    "deepseek": frozenset({"deepseek"}),
    "phi": frozenset({"microsoft", "phi"}),
    "granite": frozenset({"ibm", "granite"}),
}
_FAMILY = re.compile(r"(?<![a-z])(" + "|".join(sorted(FAMILIES, key=len, reverse=True)) + r")", re.IGNORECASE)


@dataclass(slots=True)
class LineageCheck:
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)  # reviewer -> labels for the tally
    warnings: list[str] = field(default_factory=list)


def check_lineages(reviewers: list[ReviewerConfig], calls: list[CallResult]) -> LineageCheck:
    check = LineageCheck({r.name: tuple(r.lineage) for r in reviewers})
    served: dict[str, set[str]] = {}
    for call in calls:
        if call.served_model and call.status != "failed":
            served.setdefault(call.served_model.strip().lower(), set()).add(call.reviewer)
    by_name = {r.name: r for r in reviewers}
    for model, names in sorted(served.items()):
        family = _FAMILY.search(model)
        for name in sorted(names):
            labels = set(by_name[name].lineage)
            if family is not None and not labels & FAMILIES[family.group(1).lower()]:
                check.warnings.append(
                    f"reviewer {name} is labelled lineage {', '.join(sorted(labels))} but the server says it "
                    f"served {model!r} ({family.group(1).lower()} family)"
                )
        lineages = {tuple(by_name[n].lineage) for n in names}
        if len(lineages) > 1:
            for name in names:
                check.labels[name] = (*check.labels[name], f"served:{model}")
            check.warnings.append(
                f"reviewers {', '.join(sorted(names))} have different lineage labels but were all served "
                f"{model!r}: counted as one lineage"
            )
    return check

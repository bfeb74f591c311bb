"""The reviewer prompt: a jinja2 template (bundled, or the user's ``[review] prompt_template``)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from paritygate.config.diagnostics import read_user_text
from paritygate.errors import ConfigError
from paritygate.phases.review.bundles import Bundle

__all__ = ["DEFAULT_TEMPLATE", "PromptRenderer", "template_source"]

DEFAULT_TEMPLATE = "review_prompt.md.j2"


def template_source(template_path: Path | None) -> str:
    """How review.json names the prompt template: its path, or the bundled one's name."""
    return str(template_path) if template_path else f"paritygate:{DEFAULT_TEMPLATE}"


class PromptRenderer:
    """Renders one prompt per bundle. ``template_path`` None = the bundled template."""

    def __init__(self, template_path: Path | None = None) -> None:
        self.source = template_source(template_path)
        # Plain text, not HTML: no autoescaping (the diff must reach the model verbatim);
        # trim_blocks/lstrip_blocks so a line holding only a {% tag %} leaves no blank line.
        if template_path is None:
            loader: jinja2.BaseLoader = jinja2.PackageLoader("paritygate.phases.review", "templates")
        else:
            if not template_path.is_file():
                raise ConfigError(
                    "prompt template not found", file=template_path, key="review.prompt_template"
                )
            loader = jinja2.FileSystemLoader(str(template_path.parent))  # for {% include %}
        env = jinja2.Environment(
            loader=loader,
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        try:
            if template_path is None:
                self._template = env.get_template(DEFAULT_TEMPLATE)
            else:  # read here: unreadable or non-UTF-8 is a ConfigError, not a traceback
                self._template = env.from_string(read_user_text(template_path, "prompt template"))
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"template syntax error: {exc.message}", file=template_path, line=exc.lineno
            ) from None

    def render(self, bundle: Bundle, *, range_label: str) -> str:
        context = {
            "bundle_id": bundle.id,
            "component": bundle.component,
            "part": bundle.part,
            "parts": bundle.parts,
            "range_label": range_label,
            "files": [{"path": f.path, "status": f.status} for f in bundle.files],
            "deleted": bundle.deleted,
            "left_out": [item.to_json() for item in bundle.left_out],
            "clipped": bundle.clipped,
            "diff": bundle.numbered_text(),
        }
        try:
            return self._template.render(context)
        except jinja2.TemplateError as exc:
            line = getattr(exc, "lineno", None)
            raise ConfigError(
                f"cannot render the prompt template: {exc}", file=self.source, line=line
            ) from None

"""Validating a model's reply at the SDK boundary: the raw JSON body, checked field by field.

The SDKs build their response objects without validation (a ``finish_reason`` of ``7``
or a ``content`` list passes through), so paritygate reads the raw body the SDK
received and accepts only what it understands: strings where strings belong, token
counts that are small non-negative integers, an answer of bounded size. Anything else
is a :class:`MalformedReply` naming the field, which the caller records as a failed,
unusable call — never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_ANSWER_CHARS", "MalformedReply", "ModelReply", "parse_anthropic", "parse_openai"]

MAX_ANSWER_CHARS = 512_000  # a review answer is a few KB; past this the rest is cut and said
_MAX_FIELD = 256  # model names, finish reasons
_MAX_TOKENS = 10**9
_MAX_BODY = 64 * 1024 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedReply(ValueError):
    """The reply cannot be read as an answer; the message names the field and what was expected."""


@dataclass(slots=True, frozen=True)
class ModelReply:
    text: str
    finish_reason: str | None
    served_model: str | None
    prompt_tokens: int | None  # as the server counted them (usage)
    completion_tokens: int | None
    cut: bool = False  # the answer was longer than MAX_ANSWER_CHARS and was cut


def _clean(text: str) -> str:
    """Lone surrogates (valid JSON escapes, invalid Unicode) become U+FFFD so the text can be written."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _small_int(raw: str) -> int:
    # json would build a 5,000-digit int (or refuse past 4,300 digits with a ValueError).
    if len(raw.lstrip("-")) > 18:
        raise MalformedReply(f"a number with {len(raw)} digits")
    return int(raw)


def _load(body: bytes) -> dict[str, Any]:  # JSON boundary: the reply body, validated field by field below
    if len(body) > _MAX_BODY:
        raise MalformedReply(f"reply body of {len(body)} bytes is over the {_MAX_BODY} byte limit")
    try:
        doc = json.loads(body, parse_int=_small_int, parse_constant=_no_constant)
    except MalformedReply:
        raise
    except (ValueError, RecursionError) as exc:
        raise MalformedReply(f"reply body is not JSON ({str(exc)[:120]})") from None
    if not isinstance(doc, dict):
        raise MalformedReply(f"reply body is a JSON {type(doc).__name__}, expected an object")
    return doc


def _no_constant(name: str) -> Any:
    raise MalformedReply(f"reply holds {name}, which is not JSON")


def _type(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short_str(doc: dict[str, Any], key: str, where: str) -> str | None:  # JSON boundary: a reply object
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedReply(f"{where}{key} is {_type(value)}, expected a string")
    if len(value) > _MAX_FIELD:
        raise MalformedReply(f"{where}{key} is {len(value)} characters long, expected at most {_MAX_FIELD}")
    return _clean(value)


def _count(usage: Any, key: str, where: str) -> int | None:
    """A token count, or None when absent; a wrong type or size is malformed."""
    if not isinstance(usage, dict):
        return None
    value = usage.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedReply(f"{where}{key} is {_type(value)}, expected an integer")
    if not 0 <= value <= _MAX_TOKENS:
        raise MalformedReply(f"{where}{key} is {value}, expected 0 to {_MAX_TOKENS}")
    return value


def _text(value: str) -> tuple[str, bool]:
    value = _clean(value)
    if len(value) > MAX_ANSWER_CHARS:
        return value[:MAX_ANSWER_CHARS], True
    return value, False


def parse_openai(body: bytes) -> ModelReply:
    """A chat-completions body (OpenAI, vLLM, Ollama, llama.cpp, OpenRouter...)."""
    doc = _load(body)
    choices = doc.get("choices")
    if not isinstance(choices, list):
        raise MalformedReply(f"choices is {_type(choices)}, expected a list")
    usage = doc.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise MalformedReply(f"usage is {_type(usage)}, expected an object")
    prompt = _count(usage, "prompt_tokens", "usage.")
    completion = _count(usage, "completion_tokens", "usage.")
    model = _short_str(doc, "model", "")
    if not choices:
        return ModelReply("", None, model, prompt, completion)
    choice = choices[0]
    if not isinstance(choice, dict):
        raise MalformedReply(f"choices[0] is {_type(choice)}, expected an object")
    finish = _short_str(choice, "finish_reason", "choices[0].")
    message = choice.get("message")
    if message is None:
        return ModelReply("", finish, model, prompt, completion)
    if not isinstance(message, dict):
        raise MalformedReply(f"choices[0].message is {_type(message)}, expected an object")
    content = message.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise MalformedReply(f"choices[0].message.content is {_type(content)}, expected a string")
    text, cut = _text(content)
    return ModelReply(text, finish, model, prompt, completion, cut)


def parse_anthropic(body: bytes) -> ModelReply:
    """A Messages API body: the text blocks joined; other block types (tool use) are ignored."""
    doc = _load(body)
    content = doc.get("content")
    if not isinstance(content, list):
        raise MalformedReply(f"content is {_type(content)}, expected a list")
    parts: list[str] = []
    for n, block in enumerate(content):
        if not isinstance(block, dict):
            raise MalformedReply(f"content[{n}] is {_type(block)}, expected an object")
        if block.get("type") != "text":
            continue
        value = block.get("text")
        if not isinstance(value, str):
            raise MalformedReply(f"content[{n}].text is {_type(value)}, expected a string")
        parts.append(value)
    usage = doc.get("usage")
    if usage is not None and not isinstance(usage, dict):
        raise MalformedReply(f"usage is {_type(usage)}, expected an object")
    text, cut = _text("".join(parts))
    return ModelReply(
        text,
        _short_str(doc, "stop_reason", ""),
        _short_str(doc, "model", ""),
        _count(usage, "input_tokens", "usage."),
        _count(usage, "output_tokens", "usage."),
        cut,
    )

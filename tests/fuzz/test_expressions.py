"""OpenAPI runtime expressions: every form of the grammar, and one precise error each way."""

from __future__ import annotations

import pytest

from paritygate.phases.fuzz.expressions import Expression, ExpressionError, parse_expression, parse_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$url", Expression("url")),
        ("$method", Expression("method")),
        ("$statusCode", Expression("statusCode")),
        ("$request.path.id", Expression("request", "path", "id")),
        ("$request.query.page size", Expression("request", "query", "page size")),  # name = *CHAR
        ("$request.header.X-Request-ID", Expression("request", "header", "X-Request-ID")),
        ("$request.body", Expression("request", "body")),
        ("$request.body#/user/name", Expression("request", "body", pointer="/user/name")),
        ("$response.header.Location", Expression("response", "header", "Location")),
        ("$response.body", Expression("response", "body")),
        ("$response.body#", Expression("response", "body", pointer="")),
        ("$response.body#/items/0/id", Expression("response", "body", pointer="/items/0/id")),
        ("$response.body#/a~1b/c~0d", Expression("response", "body", pointer="/a~1b/c~0d")),
    ],
)
def test_every_form_of_the_grammar_parses_and_prints_back(text: str, expected: Expression) -> None:
    parsed = parse_expression(text)
    assert parsed == expected
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$uri", "expected $url, $method, $statusCode, $request.<source> or $response.<source>"),
        ("$response.bdy#/id", "expected header.<name>, query.<name>, path.<name>, body"),
        ("$request.path", "expected header.<name>, query.<name>, path.<name>, body"),
        ("$request.query.", "expected a name after 'query.'"),
        ("$response.path.id", "a response has headers and a body, not path parameters"),
        ("$response.query.q", "a response has headers and a body, not query parameters"),
        ("$request.header.a b", "'a b' is not a header name"),
        ("$response.body#id", "'id' is not a JSON pointer"),
        ("$response.body#/a~2", "'/a~2' is not a JSON pointer"),
    ],
)
def test_a_malformed_expression_says_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert f"malformed runtime expression {text!r}" in str(caught.value)
    assert message in str(caught.value)


def test_values_are_constants_whole_expressions_or_text_with_embedded_ones() -> None:
    assert parse_value("plain") == ["plain"]
    assert parse_value("") == [""]
    assert parse_value("{not an expression}") == ["{not an expression}"]
    assert parse_value("$response.body#/id") == [Expression("response", "body", pointer="/id")]
    assert parse_value("/items/{$response.body#/id}/tags/{$request.query.tag}") == [
        "/items/",
        Expression("response", "body", pointer="/id"),
        "/tags/",
        Expression("request", "query", "tag"),
    ]
    assert parse_value("{$statusCode}") == [Expression("statusCode")]
    with pytest.raises(ExpressionError, match="has no closing"):
        parse_value("id={$response.body#/id")
    with pytest.raises(ExpressionError, match=r"malformed runtime expression '\$respons.body'"):
        parse_value("id={$respons.body}")

"""Stateful sequences from OpenAPI links: a pair that diverges only on the linked GET.

Both implementations store created items and read them back; each issues its own ids
("a-1" on one, "b-1" on the other), so the GET a link leads to must be filled with the id
*that target* issued. The lossy one drops an item's ``note`` longer than 8 characters,
which only a GET of the item just created shows: a standalone GET of any id is a 404 on
both, and the POST answers only with the id.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import find
from pair_helpers import fuzz_json, serving

from paritygate.cli.main import cli
from paritygate.core.fuzz_doc import FuzzDocument
from paritygate.errors import ConfigError
from paritygate.phases.fuzz.links import document_links, openapi_sequences
from paritygate.phases.fuzz.openapi import operations
from paritygate.probe.cases import load_cases_file
from paritygate.reports.fuzz_report import fuzz_markdown

LOST = "shape·missing·$.note"

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "items", "version": "1"},
    "paths": {
        "/items": {
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "links": {
                            "GetItem": {"operationId": "getItem", "parameters": {"id": "$response.body#/id"}}
                        },
                    }
                },
            }
        },
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the item"}, "404": {"description": "no such item"}},
            }
        },
    },
    "components": {
        "schemas": {
            "NewItem": {
                "type": "object",
                "required": ["name", "note"],
                "properties": {
                    "name": {"type": "string", "maxLength": 12},
                    "note": {"type": "string", "maxLength": 30},
                },
                "additionalProperties": False,
            }
        }
    },
}

CONFIG = """
name = "items"
[fuzz]
openapi = "openapi.json"

[[parity.match]]
path = "$.id"
operation = "POST /items"
kind = "regex"
pattern = "^[ab]-[0-9]+$"
"""


def _handler(prefix: str, lossy: bool) -> type[BaseHTTPRequestHandler]:
    items: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if self.path != "/items" or not isinstance(body, dict):
                self._answer(400, {"error": "bad request"})
                return
            stored = {"name": body.get("name"), "note": body.get("note")}
            if lossy and isinstance(stored["note"], str) and len(stored["note"]) > 8:
                del stored["note"]  # the field is lost on the way to the store
            with lock:
                item_id = f"{prefix}-{len(items) + 1}"
                items[item_id] = {"id": item_id, **stored}
            self._answer(201, {"id": item_id})

        def do_GET(self) -> None:
            match = re.fullmatch(r"/items/([^/?]+)", self.path)
            with lock:
                item = items.get(match.group(1)) if match else None
            if item is None:
                self._answer(404, {"error": "no such item"})
            else:
                self._answer(200, item)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def pair() -> Iterator[list[str]]:
    with serving({"keeper": _handler("a", False), "lossy": _handler("b", True)}) as targets:
        yield targets


def _project(tmp_path: Path, doc: dict[str, Any] = DOC) -> Path:
    (tmp_path / "openapi.json").write_bytes(orjson.dumps(doc))
    (tmp_path / "paritygate.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path / "paritygate.toml"


def _fuzz(config: Path, pair: list[str], out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    return fuzz_json(config, pair, out, *extra)


def test_the_class_only_a_link_shows_is_found_and_shrunk_to_a_two_step_sequence(
    tmp_path: Path, pair: list[str]
) -> None:
    code, doc = _fuzz(_project(tmp_path), pair, tmp_path / "out", "--seed", "3")
    assert code == 1
    assert doc["source"].endswith("openapi.json (2 operation(s), 1 link(s))")
    # per-target ids: the lossy target's GET got "b-…", never the other's "a-…" (no 404 class)
    assert [c["key"] for c in doc["classes"]] == [LOST], doc["classes"]
    found = doc["classes"][0]
    create, read = found["steps"]
    assert [create["method"], read["method"]] == ["POST", "GET"]
    assert create["capture"] == [{"name": "step1_id", "jsonpointer": "/id"}]
    assert read["path"] == "/items/{{step1_id}}" and read["route"] == "/items/{id}"
    assert len(create["json"]["note"]) == 9  # the shortest note that is lost
    assert create["json"]["name"] == ""
    assert found["case"] == read  # the step that shows the class
    assert found["scenario"].startswith("fuzz-shape-missing-note-")
    # the report is parity's, from the answers the search saw: the GET diverged, both were 200
    parity = orjson.loads((tmp_path / "out" / "parity.json").read_bytes())
    assert [c["key"] for c in parity["classes"]] == [LOST]
    # fuzz.md (a run's fuzz phase writes it) names the scenario and its calls
    markdown = fuzz_markdown(
        FuzzDocument.from_json(orjson.loads((tmp_path / "out" / "fuzz.json").read_bytes()))
    )
    assert (
        f"scenario `{found['scenario']}` (2 steps: `POST /items` → `GET /items/{{{{step1_id}}}}`)" in markdown
    )


def test_without_links_the_same_pair_shows_nothing(tmp_path: Path, pair: list[str]) -> None:
    doc = copy.deepcopy(DOC)
    del doc["paths"]["/items"]["post"]["responses"]["201"]["links"]
    code, out = _fuzz(_project(tmp_path, doc), pair, tmp_path / "out", "--seed", "3")
    assert out["source"].endswith("openapi.json (2 operation(s))")
    assert out["classes"] == [] and code == 0


def test_same_seed_same_sequences(tmp_path: Path, pair: list[str]) -> None:
    config = _project(tmp_path)
    _, first = _fuzz(config, pair, tmp_path / "a", "--seed", "11", "--max-examples", "60")
    _, second = _fuzz(config, pair, tmp_path / "b", "--seed", "11", "--max-examples", "60")
    assert first["classes"] == second["classes"] and first["sent"] == second["sent"]
    assert first["classes"] and "steps" in first["classes"][0]


def test_the_saved_scenario_is_replayed_by_parity_per_target(tmp_path: Path, pair: list[str]) -> None:
    config = _project(tmp_path)
    saved = tmp_path / "regressions.toml"
    _fuzz(config, pair, tmp_path / "a", "--seed", "3", "--save-cases", str(saved))
    file = load_cases_file(saved)
    [scenario] = [s for s in file.scenarios if s.name is not None]
    assert [c.step for c in scenario.steps] == ["1 POST /items", "2 GET /items/{id}"]
    assert scenario.steps[1].uses == frozenset({"step1_id"})
    args = ["parity", "--config", str(config), *pair, "--cases", str(saved), "--out", str(tmp_path / "p")]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 1, result.output
    assert [c["key"] for c in orjson.loads(result.stdout)["classes"]] == [LOST]
    _fuzz(config, pair, tmp_path / "b", "--seed", "3", "--save-cases", str(saved))
    assert load_cases_file(saved).cases == file.cases  # the same class again: nothing appended


def test_link_values_from_the_request_and_the_response_become_captures_and_templates() -> None:
    doc = copy.deepcopy(DOC)
    doc["paths"]["/items/{id}"]["get"]["parameters"].append(
        {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["full"]}}
    )
    doc["paths"]["/items"]["post"]["responses"]["201"]["links"] = {
        "GetItem": {
            "operationRef": "#/paths/~1items~1{id}/get",
            "parameters": {
                "path.id": "{$response.header.X-Item}",
                "view": "$request.body#/name",
                "header.X-Trace": "{$method} {$statusCode} {$url}",
                "header.X-Missing": "$request.query.absent",  # the POST has no such query: not set
            },
        }
    }
    ops = operations(doc)
    links = document_links(doc, ops)
    strategy = openapi_sequences(doc, ops, links)
    create, read = find(strategy, lambda steps: len(steps) == 2)
    assert create.capture_specs == [
        {"name": "step1_x_item", "header": "X-Item"},
        {"name": "step1_status", "status": True},
    ]
    assert read.path == "/items/{{step1_x_item}}"
    assert isinstance(create.json, dict)
    assert read.query == {"view": [create.json["name"]]}
    assert read.headers == {"X-Trace": "POST {{step1_status}} /items"}
    assert read.uses == frozenset({"step1_x_item", "step1_status"})
    # each target gets the values it issued itself
    spec = read.render({"step1_x_item": "b-7", "step1_status": 201})
    assert spec.path == "/items/b-7" and spec.headers["X-Trace"] == "POST 201 /items"


def test_a_link_with_a_malformed_expression_is_one_error_naming_it(tmp_path: Path) -> None:
    doc = copy.deepcopy(DOC)
    doc["paths"]["/items"]["post"]["responses"]["201"]["links"]["GetItem"]["parameters"] = {
        "id": "$response.bdy#/id"
    }
    with pytest.raises(ConfigError) as caught:
        document_links(doc, operations(doc), tmp_path / "openapi.json")
    assert str(caught.value) == (
        f"{tmp_path / 'openapi.json'}: paths./items.post.responses.201.links.GetItem: "
        "link 'GetItem' of POST /items: parameters.id: malformed runtime expression "
        "'$response.bdy#/id': expected header.<name>, query.<name>, path.<name>, body or "
        "body#/json/pointer after '$response.'"
    )
    config = _project(tmp_path, doc)
    result = CliRunner().invoke(cli, ["fuzz", "--config", str(config), "--target", "a=http://127.0.0.1:9"])
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ({"operationId": "nope"}, "operationId 'nope': no operation of the document has it"),
        ({"operationId": "getItem", "operationRef": "#/x"}, "exactly one of operationId and operationRef"),
        ({"operationRef": "other.json#/paths/~1a/get"}, "only a local reference"),
        ({"operationRef": "#/paths/~1items~1{id}/put"}, "points at no operation"),
        ({"operationId": "getItem", "parameters": {"ident": 1}}, "GET /items/{id} has no parameter 'ident'"),
    ],
)
def test_a_link_that_names_nothing_is_an_error_naming_it(link: dict[str, Any], message: str) -> None:
    doc = copy.deepcopy(DOC)
    doc["paths"]["/items"]["post"]["responses"]["201"]["links"] = {"Broken": link}
    with pytest.raises(ConfigError, match="link 'Broken' of POST /items: ") as caught:
        document_links(doc, operations(doc))
    assert message in str(caught.value)


def test_a_request_body_from_a_link_keeps_each_value_s_type_and_the_rest_of_the_request() -> None:
    doc = copy.deepcopy(DOC)
    doc["paths"]["/items"]["post"]["responses"]["201"]["links"] = {
        "CreateSibling": {
            "operationId": "createItem",
            "requestBody": {"name": "$request.body#/name", "note": "$response.body#/id"},
        }
    }
    ops = operations(doc)
    first, second = find(openapi_sequences(doc, ops, document_links(doc, ops)), lambda s: len(s) == 2)
    assert isinstance(first.json, dict)
    assert first.capture_specs == [{"name": "step1_id", "jsonpointer": "/id"}]
    assert second.json == {"name": first.json["name"], "note": "{{step1_id}}"}
    assert second.render({"step1_id": 7}).content == orjson.dumps({"name": first.json["name"], "note": 7})

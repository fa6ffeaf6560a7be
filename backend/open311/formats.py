"""GeoReport v2 wire formats: the `.json` / `.xml` suffix, XML by the Spark convention, errors."""

from __future__ import annotations

import json
from typing import Any, Final
from xml.etree import ElementTree as ET

from litestar import Response

JSON: Final = "json"
XML: Final = "xml"
MEDIA_TYPES: Final = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
# XML element name of one item of each list field (the JSON arrays of the Spark convention).
_ITEM_TAGS: Final = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """One or more GeoReport errors; `status` is the HTTP status of the whole answer."""

    def __init__(self, status: int, *errors: tuple[int, str]) -> None:
        super().__init__("; ".join(description for _, description in errors))
        self.status = status
        self.errors = list(errors) or [(status, "error")]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *[(400, d) for d in descriptions])


def not_found(description: str) -> Open311Error:
    return Open311Error(404, (404, description))


def split_format(name: str) -> tuple[str, str]:
    """("services", "json") from "services.json"; 400 for another or no suffix."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix not in (JSON, XML):
        raise Open311Error(400, (400, "add .json or .xml to the path to choose the format"))
    return stem, suffix


def format_of_path(path: str) -> str:
    """The format an error answer uses: XML for a `.xml` path, JSON otherwise."""
    return XML if path.endswith(".xml") else JSON


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(child, key, inner)
    elif isinstance(value, list):
        item_tag = _ITEM_TAGS.get(tag, "item")
        for inner in value:
            _append(child, item_tag, inner)
    elif value is not None:
        child.text = _text(value)


def to_xml(root: str, item: str | None, body: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """`<root><item>…</item>…</root>` for a list, `<root>…</root>` for one object."""
    element = ET.Element(root)
    if isinstance(body, list):
        assert item is not None
        for entry in body:
            _append(element, item, entry)
    else:
        for key, value in body.items():
            _append(element, key, value)
    return (
        b'<?xml version="1.0" encoding="utf-8"?>'
        + ET.tostring(element, encoding="unicode").encode()
    )


def render(
    fmt: str,
    body: list[dict[str, Any]] | dict[str, Any],
    *,
    root: str,
    item: str | None = None,
    status: int = 200,
) -> Response[bytes]:
    """The answer in the chosen format (UTF-8 both ways, as the spec requires)."""
    if fmt == XML:
        content = to_xml(root, item, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type=MEDIA_TYPES[fmt])


def error_response(fmt: str, error: Open311Error) -> Response[bytes]:
    """The spec's error array: `[{"code": 400, "description": "…"}]` / `<errors><error>…`."""
    items = [{"code": code, "description": description} for code, description in error.errors]
    return render(fmt, items, root="errors", item="error", status=error.status)

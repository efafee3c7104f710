"""Condense the full machine-readable Bot API (api.json) into the small api_methods.json."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("api_methods.json")

# Limits live only in the prose ("1-4096 characters after entities parsing", "1-64 bytes"), so
# they are lifted out here once instead of being retyped by hand in the fake.
_LIMIT = re.compile(r"(\d+)-(\d+)\s+(characters|bytes)(\s+after entit(?:y|ies) parsing)?")
# Subtypes of a union (BotCommandScope, MenuButton...) are told apart by one constant field.
_CONST = re.compile(r'(?:must be|always)\s+"?([a-z_]+)"?')

_PRIMITIVES = {"String", "Integer", "Float", "Boolean", "True", "InputFile"}


def _base_types(types: list[str]) -> list[str]:
    return [t.removeprefix("Array of ").removeprefix("Array of ") for t in types]


def _compact_field(field: dict[str, Any], *, in_union: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": field["name"],
        "required": bool(field["required"]),
        "types": list(field["types"]),
    }
    description = str(field.get("description", ""))
    limit = _LIMIT.search(description)
    if limit and "String" in field["types"]:
        out["limit"] = [int(limit.group(1)), int(limit.group(2)), limit.group(3)]
        if limit.group(4):
            out["parsed"] = True
    if in_union and field["required"] and field["name"] in {"type", "status", "source"}:
        const = _CONST.search(description)
        if const:
            out["const"] = const.group(1)
    return out


def _compact_type(spec: dict[str, Any], *, in_union: bool) -> dict[str, Any]:
    if "subtypes" in spec:
        return {"subtypes": list(spec["subtypes"])}
    return {"fields": [_compact_field(f, in_union=in_union) for f in spec.get("fields", [])]}


def condense(api: dict[str, Any]) -> dict[str, Any]:
    """Keep what a validator needs: methods, their fields and every type reachable from them."""
    methods: dict[str, Any] = {}
    pending: list[str] = []
    for name, spec in api["methods"].items():
        fields = spec.get("fields", [])
        methods[name] = {
            "fields": [_compact_field(f, in_union=False) for f in fields],
            "returns": list(spec.get("returns", [])),
        }
        for f in fields:
            pending.extend(_base_types(f["types"]))

    union_members = {sub for spec in api["types"].values() for sub in spec.get("subtypes", [])}
    types: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in _PRIMITIVES or name in types or name not in api["types"]:
            continue
        compact = _compact_type(api["types"][name], in_union=name in union_members)
        types[name] = compact
        pending.extend(compact.get("subtypes", []))
        for f in compact.get("fields", []):
            pending.extend(_base_types(f["types"]))

    # getUpdates' allowed_updates names the optional fields of Update.
    update_fields = api["types"].get("Update", {}).get("fields", [])
    return {
        "release_date": api.get("release_date", ""),
        "version": api.get("version", ""),
        "update_types": sorted(f["name"] for f in update_fields if f["name"] != "update_id"),
        "methods": methods,
        "types": types,
    }


def dump(condensed: dict[str, Any]) -> str:
    """One line per method or type, sorted: diffs between spec versions stay readable."""
    lines = ["{"]
    lines.append(f' "release_date": {json.dumps(condensed["release_date"])},')
    lines.append(f' "version": {json.dumps(condensed["version"])},')
    lines.append(f' "update_types": {json.dumps(condensed["update_types"])},')
    for section in ("methods", "types"):
        entries = condensed[section]
        lines.append(f' "{section}": {{')
        names = sorted(entries)
        for i, name in enumerate(names):
            body = json.dumps(entries[name], sort_keys=True, ensure_ascii=False)
            comma = "," if i < len(names) - 1 else ""
            lines.append(f"  {json.dumps(name)}: {body}{comma}")
        lines.append(" }," if section == "methods" else " }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("api_json", type=Path, help="path to the full api.json")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    api = json.loads(args.api_json.read_text(encoding="utf-8"))
    text = dump(condense(api))
    json.loads(text)  # the hand-made layout must still be valid JSON
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} bytes, {api.get('version', '?')})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

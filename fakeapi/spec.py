"""Validate Bot API requests against the condensed api_methods.json, refusing like Telegram."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")

# Telegram's own wording for the few limits whose errors bots commonly meet.
_LIMIT_ERRORS = {
    ("InlineKeyboardButton", "callback_data"): "Bad Request: BUTTON_DATA_INVALID",
    ("answerCallbackQuery", "text"): "Bad Request: MESSAGE_TOO_LONG",
    ("BotCommand", "command"): "Bad Request: BOT_COMMAND_INVALID",
    ("BotCommand", "description"): "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
}
_EMPTY_ERRORS = {
    ("sendMessage", "text"): "Bad Request: message text is empty",
}


class ApiError(Exception):
    """A refusal, carried up to the HTTP layer as ``{"ok": false, ...}``."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    name: str
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool
    limit: tuple[int, int, str] | None = None
    parsed: bool = False
    const: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FieldSpec:
        limit = raw.get("limit")
        return cls(
            name=str(raw["name"]),
            types=tuple(raw["types"]),
            required=bool(raw["required"]),
            limit=(int(limit[0]), int(limit[1]), str(limit[2])) if limit else None,
            parsed=bool(raw.get("parsed", False)),
            const=raw.get("const"),
        )


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: tuple[FieldSpec, ...] = ()
    subtypes: tuple[str, ...] = ()

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


# python-telegram-bot's Defaults(parse_mode=...) adds parse_mode to every call that goes through
# its _send_message, editMessageReplyMarkup included, whose spec has no such field. Telegram
# ignores it; refusing it would only test the library, so exactly this one is let through.
LIBRARY_EXTRAS: dict[str, frozenset[str]] = {
    "editMessageReplyMarkup": frozenset({"parse_mode"}),
}


class ApiSpec:
    """The methods and input types of one Bot API version."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = str(raw.get("version", ""))
        self.release_date: str = str(raw.get("release_date", ""))
        self.update_types: frozenset[str] = frozenset(raw.get("update_types", []))
        self.methods: dict[str, tuple[FieldSpec, ...]] = {
            name: tuple(FieldSpec.from_json(f) for f in spec.get("fields", []))
            for name, spec in raw["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name,
                tuple(FieldSpec.from_json(f) for f in spec.get("fields", [])),
                tuple(spec.get("subtypes", [])),
            )
            for name, spec in raw["types"].items()
        }
        self._method_fields = {
            name: {f.name: f for f in fields} for name, fields in self.methods.items()
        }

    def has_method(self, method: str) -> bool:
        return method in self.methods

    def field(self, method: str, name: str) -> FieldSpec | None:
        return self._method_fields.get(method, {}).get(name)

    def validate(
        self,
        method: str,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
    ) -> dict[str, Any]:
        """Decode and check the parameters of one call; raise ApiError as Telegram would.

        ``raw`` values are strings (form fields, query strings) or JSON values (JSON bodies);
        objects and arrays may be JSON-encoded strings, as python-telegram-bot sends them.
        """
        if method not in self.methods:
            raise ApiError(404, "Not Found")
        files = dict(files or {})
        fields = self._method_fields[method]
        for name in raw:
            if name not in fields:
                if name in LIBRARY_EXTRAS.get(method, ()):
                    continue
                # Telegram silently ignores unknown fields; a typo would then go unnoticed.
                raise bad_request(f'unknown parameter "{name}" for method {method}')
        out: dict[str, Any] = {}
        attached: set[str] = set()
        for spec in self.methods[method]:
            if spec.name in raw:
                out[spec.name] = self._top_value(method, spec, raw[spec.name], files, attached)
            elif spec.name in files and "InputFile" in spec.types:
                out[spec.name] = files[spec.name]
                attached.add(spec.name)
            elif spec.required:
                raise bad_request_empty(method, spec.name)
        stray = set(files) - attached
        if stray:
            raise bad_request(f"unexpected file part(s) {sorted(stray)} for method {method}")
        return out

    def _top_value(
        self,
        method: str,
        spec: FieldSpec,
        value: Any,
        files: Mapping[str, UploadedFile],
        attached: set[str],
    ) -> Any:
        if isinstance(value, UploadedFile):
            if "InputFile" not in spec.types:
                raise bad_request(f"parameter {spec.name} can't be a file")
            attached.add(spec.name)
            return value
        decoded = value
        if isinstance(value, str) and any(self._is_object(t) for t in spec.types):
            try:
                decoded = json.loads(value)
            except ValueError:
                decoded = value
        errors: list[str] = []
        for type_name in self._rank(spec.types, decoded):
            try:
                return self._decode_top(
                    method=method,
                    spec=spec,
                    type_name=type_name,
                    value=value,
                    files=files,
                    attached=attached,
                )
            except ApiError as exc:
                errors.append(exc.description)
        raise ApiError(400, errors[0])

    def _is_object(self, type_name: str) -> bool:
        return type_name.startswith("Array of ") or type_name in self.types

    def _rank(self, types: tuple[str, ...], value: Any) -> list[str]:
        """Alternatives whose required fields the value has come first: their errors explain."""
        if not isinstance(value, dict) or len(types) < 2:
            return list(types)
        keys = set(value)
        return sorted(types, key=lambda t: not (self.required_fields(t) <= keys))

    def _decode_top(
        self,
        *,
        method: str,
        spec: FieldSpec,
        type_name: str,
        value: Any,
        files: Mapping[str, UploadedFile],
        attached: set[str],
    ) -> Any:
        name = spec.name
        if type_name == "InputFile":
            if isinstance(value, str) and value.startswith("attach://"):
                part = value.removeprefix("attach://")
                if part not in files:
                    raise bad_request(f"file {value} of parameter {name} not found in request")
                attached.add(part)
                return files[part]
            raise bad_request(f"parameter {name} must be a file upload")
        if type_name in {"Integer", "Float", "Boolean", "True", "String"}:
            decoded = _decode_scalar(type_name, value, name, strict_json=False)
            if type_name == "String" and spec.limit and not spec.parsed:
                _check_limit(method, spec, decoded, name)
            return decoded
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return self.check(type_name, value, name)

    def check(self, type_name: str, value: Any, path: str) -> Any:
        """Check a decoded JSON value against a spec type; return it unchanged when valid."""
        if type_name.startswith("Array of "):
            inner = type_name.removeprefix("Array of ")
            if not isinstance(value, list):
                raise bad_request(f"{path} must be an array")
            return [self.check(inner, item, f"{path}[{i}]") for i, item in enumerate(value)]
        if type_name in {"Integer", "Float", "Boolean", "True", "String", "InputFile"}:
            if type_name == "InputFile":
                type_name = "String"
            return _decode_scalar(type_name, value, path, strict_json=True)
        spec = self.types.get(type_name)
        if spec is None:
            raise bad_request(f"{path}: type {type_name} is unknown to the fake")
        if spec.subtypes:
            return self._check_union(spec, value, path)
        if not isinstance(value, dict):
            raise bad_request(f"{path} must be a {type_name} object")
        known = {f.name for f in spec.fields}
        for key in value:
            if key not in known:
                raise bad_request(f'unknown field "{key}" in {path} ({type_name})')
        for f in spec.fields:
            sub_path = f"{path}.{f.name}"
            if f.name not in value:
                if f.required:
                    raise bad_request(f"{sub_path} is empty")
                continue
            item = value[f.name]
            if f.const is not None and item != f.const:
                raise bad_request(f'{sub_path} must be "{f.const}"')
            errors: list[str] = []
            for alt in self._rank(f.types, item):
                try:
                    self.check(alt, item, sub_path)
                    break
                except ApiError as exc:
                    errors.append(exc.description)
            else:
                raise ApiError(400, errors[0])
            if f.limit and isinstance(item, str) and not f.parsed:
                _check_limit(type_name, f, item, sub_path)
        return value

    def _check_union(self, spec: TypeSpec, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            raise bad_request(f"{path} must be a {spec.name} object")
        members = [self.types[s] for s in spec.subtypes if s in self.types]
        discriminated = [(m, f) for m in members for f in m.fields if f.const is not None]
        if discriminated:
            for member, f in discriminated:
                if value.get(f.name) == f.const:
                    return self.check(member.name, value, path)
            names = sorted({f.name for _, f in discriminated})
            raise bad_request(f"unsupported {path} {'/'.join(names)} for {spec.name}")
        errors: list[str] = []
        for name in self._rank(tuple(m.name for m in members), value):
            try:
                return self.check(name, value, path)
            except ApiError as exc:
                errors.append(exc.description)
        raise ApiError(400, errors[0])

    def required_fields(self, type_name: str) -> set[str]:
        spec = self.types.get(type_name)
        if spec is None:
            return set()
        if spec.subtypes:
            return set.intersection(*(self.required_fields(s) for s in spec.subtypes))
        return {f.name for f in spec.fields if f.required}


def bad_request_empty(method: str, name: str) -> ApiError:
    return ApiError(400, _EMPTY_ERRORS.get((method, name), f"Bad Request: {name} is empty"))


def _decode_scalar(type_name: str, value: Any, path: str, *, strict_json: bool) -> Any:
    """Decode one scalar; form values arrive as strings, JSON values must have the JSON type."""
    if type_name == "String":
        if isinstance(value, str):
            return value
        raise bad_request(f"{path} must be a string")
    if type_name == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if not strict_json and isinstance(value, str) and _INT.fullmatch(value.strip()):
            return int(value.strip())
        raise bad_request(f"{path} must be an integer")
    if type_name == "Float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if not strict_json and isinstance(value, str) and _FLOAT.fullmatch(value.strip()):
            return float(value.strip())
        raise bad_request(f"{path} must be a number")
    # Boolean / True
    if isinstance(value, bool):
        result = value
    elif not strict_json and isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        result = value.strip().lower() == "true"
    else:
        raise bad_request(f"{path} must be a boolean")
    if type_name == "True" and not result:
        raise bad_request(f"{path} must be true")
    return result


def _check_limit(owner: str, spec: FieldSpec, value: str, path: str) -> None:
    assert spec.limit is not None
    low, high, unit = spec.limit
    size = len(value.encode("utf-8")) if unit == "bytes" else len(value)
    if low <= size <= high:
        return
    message = _LIMIT_ERRORS.get((owner, spec.name))
    if message is None:
        message = f"Bad Request: {path} must be {low}-{high} {unit}, got {size}"
    raise ApiError(400, message)


@cache
def load_spec() -> ApiSpec:
    """The spec shipped beside this module (regenerate it with ``python -m ...extract_spec``)."""
    text = resources.files(__package__).joinpath("api_methods.json").read_text(encoding="utf-8")
    return ApiSpec(json.loads(text))

"""Records to plain JSON data and back, strictly: nothing in the data chooses what code runs.

:func:`to_data` turns a record tree (frozen dataclasses, ``str`` enums,
tuples, named tuples, dicts with str keys, ``None``, str/int/float/bool) into dicts, lists and
scalars; :func:`from_data` rebuilds a record of a type the *caller* names,
checking every field against the dataclass's annotations. Unknown or missing
fields, a wrong type or an enum value that does not exist raise
:class:`ValueError`: a damaged or edited cache entry is refused, never
interpreted (unlike pickle, or a decoder that imports classes named in the data).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_data(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses as dicts, enums as their values, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {spec.name: to_data(getattr(value, spec.name)) for spec in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: to_data(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [to_data(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} as JSON data")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _scalar(kind: type, data: Any, where: str) -> Any:
    if kind is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if kind is int and isinstance(data, bool) or not isinstance(data, kind):
        raise ValueError(f"{where}: expected {kind.__name__}, found {type(data).__name__}")
    return data


def from_data(kind: Any, data: Any, where: str = "$") -> Any:
    """Rebuild a value of type ``kind`` from :func:`to_data`'s output; :class:`ValueError` if it does not fit."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1:
            raise ValueError(f"{where}: unsupported union {kind}")
        return from_data(inner[0], data, where)
    if origin is dict and args[0] is str:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object, found {type(data).__name__}")
        return {key: from_data(args[1], item, f"{where}[{key!r}]") for key, item in data.items()}
    if origin is tuple:
        if not isinstance(data, list):
            raise ValueError(f"{where}: expected a list, found {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], item, f"{where}[{i}]") for i, item in enumerate(data))
        raise ValueError(f"{where}: unsupported tuple type {kind}")
    if isinstance(kind, type) and issubclass(kind, Enum):
        try:
            return kind(data)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record(kind, data, where)
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a NamedTuple
        hints, required = _hints(kind), len(kind._fields) - len(kind._field_defaults)
        if not isinstance(data, list) or not required <= len(data) <= len(kind._fields):
            raise ValueError(f"{where}: expected a list of {required} to {len(kind._fields)} values")
        return kind(*(from_data(hints[name], item, f"{where}.{name}") for name, item in zip(kind._fields, data)))
    if kind in (str, int, float, bool):
        return _scalar(kind, data, where)
    raise ValueError(f"{where}: unsupported type {kind}")


def _record(cls: type[T], data: Any, where: str) -> T:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object for {cls.__name__}, found {type(data).__name__}")
    hints = _hints(cls)
    names = {spec.name for spec in dataclasses.fields(cls)}
    if unknown := set(data) - names:
        raise ValueError(f"{where}: unknown fields {sorted(unknown)} for {cls.__name__}")
    if missing := {spec.name for spec in dataclasses.fields(cls)
                   if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING} - set(data):
        raise ValueError(f"{where}: missing fields {sorted(missing)} for {cls.__name__}")
    return cls(**{name: from_data(hints[name], value, f"{where}.{name}") for name, value in data.items()})

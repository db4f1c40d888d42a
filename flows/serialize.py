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
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any


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


Decoder = Callable[[Any], Any]


class _Misfit(ValueError):
    """Data that does not fit its type; ``where`` grows as the error goes up the tree."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message, self.where = message, where

    def at(self, step: str) -> _Misfit:
        return _Misfit(self.message, step + self.where)


def from_data(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from :func:`to_data`'s output.

    Raises :class:`ValueError` saying where (``$.recommendations[3].position: ...``) when it does not fit.
    """
    try:
        return _decoder(kind)(data)
    except _Misfit as error:
        raise ValueError(f"${error.where}: {error.message}") from None


def _expect(data: Any, kind: type, what: str) -> None:
    if not isinstance(data, kind):
        raise _Misfit(f"expected {what}, found {type(data).__name__}")


@cache
def _decoder(kind: Any) -> Decoder:
    """A function checking and rebuilding data of type ``kind`` (built once per type)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        inner = [arg for arg in args if arg is not type(None)]
        if len(inner) != 1 or len(args) != 2:
            raise TypeError(f"unsupported union {kind}")
        item = _decoder(inner[0])
        return lambda data: None if data is None else item(data)
    if origin is dict and args[0] is str:
        return _dict_decoder(_decoder(args[1]))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple_decoder(_decoder(args[0]))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum_decoder(kind)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record_decoder(kind)
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return _named_tuple_decoder(kind)
    if kind in (str, int, float, bool):
        return _scalar_decoder(kind)
    raise TypeError(f"unsupported type {kind}")


def _scalar_decoder(kind: type) -> Decoder:
    def decode(data: Any) -> Any:
        if type(data) is kind:
            return data
        if kind is float and type(data) is int:
            return float(data)
        raise _Misfit(f"expected {kind.__name__}, found {type(data).__name__}")
    return decode


def _enum_decoder(kind: type[Enum]) -> Decoder:
    def decode(data: Any) -> Any:
        try:
            return kind(data)
        except ValueError as error:
            raise _Misfit(str(error)) from None
    return decode


def _tuple_decoder(item: Decoder) -> Decoder:
    def decode(data: Any) -> tuple:
        _expect(data, list, "a list")
        out = []
        for index, value in enumerate(data):
            try:
                out.append(item(value))
            except _Misfit as error:
                raise error.at(f"[{index}]") from None
        return tuple(out)
    return decode


def _dict_decoder(item: Decoder) -> Decoder:
    def decode(data: Any) -> dict:
        _expect(data, dict, "an object")
        try:
            return {key: item(value) for key, value in data.items()}
        except _Misfit as error:
            raise error.at("[...]") from None
    return decode


def _named_tuple_decoder(kind: type) -> Decoder:
    hints = _hints(kind)
    items = [(name, _decoder(hints[name])) for name in kind._fields]
    required = len(items) - len(kind._field_defaults)

    def decode(data: Any) -> Any:
        _expect(data, list, "a list")
        if not required <= len(data) <= len(items):
            raise _Misfit(f"expected {required} to {len(items)} values, found {len(data)}")
        values = []
        for (name, item), value in zip(items, data):
            try:
                values.append(item(value))
            except _Misfit as error:
                raise error.at(f".{name}") from None
        return kind(*values)
    return decode


def _record_decoder(cls: type) -> Decoder:
    hints = _hints(cls)
    items = {spec.name: _decoder(hints[spec.name]) for spec in dataclasses.fields(cls)}
    required = frozenset(spec.name for spec in dataclasses.fields(cls)
                         if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING)

    def decode(data: Any) -> Any:
        _expect(data, dict, f"an object for {cls.__name__}")
        if not data.keys() <= items.keys():
            raise _Misfit(f"unknown fields {sorted(data.keys() - items.keys())} for {cls.__name__}")
        if not required <= data.keys():
            raise _Misfit(f"missing fields {sorted(required - data.keys())} for {cls.__name__}")
        values = {}
        for name, value in data.items():
            try:
                values[name] = items[name](value)
            except _Misfit as error:
                raise error.at(f".{name}") from None
        return cls(**values)
    return decode

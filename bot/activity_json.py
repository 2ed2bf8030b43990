"""Activities to and from JSON exactly as msrest does it, in a fraction of the time.

Outbound: msrest's ``Serializer.body`` first rebuilds the whole model through its
deserializer, then validates it, then serializes it, generically, attribute by attribute: for
an Adaptive Card reply that was a third of the bot's CPU per message. :class:`ActivitySerializer`
walks the same ``_attribute_map`` with the same rules (``None`` attributes left out, enums by
value, ``object`` values copied as JSON, dates in ISO 8601) and hands anything it does not know
for certain back to msrest, so its output is msrest's, key order included. The tests compare
the two on every kind of activity the bot sends.

Inbound: :func:`read_activity_json` builds the :class:`~botbuilder.schema.Activity` that
msrest's ``Activity.deserialize`` builds from a parsed request body (same constructor calls,
same ``additional_properties``, dates parsed to the same values and time zone classes), and
falls back to msrest itself for anything outside the plain shapes Teams and the Emulator
send: a value of an unexpected JSON type, an unusual date, a model with validation rules.
The tests compare the two on every saved payload and thousands of generated variants.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

import isodate  # type: ignore[import-untyped]  # msrest's own date parser
from botbuilder.schema import Activity
from msrest.serialization import Model, Serializer

M = TypeVar("M", bound=Model)


class _MsrestNeededError(Exception):
    """A value the fast path does not handle exactly like msrest: msrest takes over."""


#: attribute name, JSON key, msrest type string; ``None`` for a class msrest must handle.
_Plan = tuple[tuple[str, str, str], ...] | None
_PLANS: dict[type, _Plan] = {}
_EXACT_SCALARS = {"int": int, "float": float, "bool": bool}


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls, False)
    if plan is not False:
        return plan  # type: ignore[return-value]
    attribute_map: dict[str, dict[str, Any]] = getattr(cls, "_attribute_map", {})
    simple = (
        not getattr(cls, "_validation", None)  # readonly, required, constant: msrest's rules
        and not getattr(cls, "_xml_map", None)
        and not getattr(cls, "_subtype_map", None)
        and all(
            "." not in desc["key"]  # flattened keys
            and "\\" not in desc["key"]
            and desc["key"]  # additional_properties
            and isinstance(desc["type"], str)
            for desc in attribute_map.values()
        )
    )
    result: _Plan = (
        tuple((name, desc["key"], desc["type"]) for name, desc in attribute_map.items())
        if simple
        else None
    )
    _PLANS[cls] = result
    return result


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is made only of exact dicts (str keys), lists and JSON scalars.

    msrest copies such a tree unchanged (an Adaptive Card is one), so it can be sent as is.
    """
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _SCALARS and not _plain_json(item)):
                return False
        return True
    if kind is list:
        for item in value:  # noqa: SIM110  # a loop, not all(...): no generator per list
            if type(item) not in _SCALARS and not _plain_json(item):
                return False
        return True
    return False


class ActivitySerializer(Serializer):
    """msrest's ``Serializer`` with a fast, identical ``body`` for model instances.

    Args:
        classes: The model classes by name (what the connector client gives msrest).
    """

    def __init__(self, classes: dict[str, type]) -> None:
        super().__init__(classes)  # type: ignore[no-untyped-call]  # msrest is half-typed

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        """The request body for ``data``: the fast path when it is exact, else msrest's."""
        if not kwargs and isinstance(data, Model) and data_type in self.dependencies:
            try:
                return self._model(data)
            except _MsrestNeededError:
                pass
        return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]

    def _model(self, obj: Any) -> dict[str, Any]:
        plan = _plan(type(obj))
        if plan is None:
            raise _MsrestNeededError
        serialized: dict[str, Any] = {}
        for name, key, data_type in plan:
            value = getattr(obj, name, _MsrestNeededError)
            if value is _MsrestNeededError:
                raise _MsrestNeededError
            if value is not None:
                serialized[key] = self._value(value, data_type)
        return serialized

    def _value(self, value: Any, data_type: str) -> Any:
        if data_type == "str":
            if type(value) is str:
                return value
            if isinstance(value, Enum):
                return value.value
            raise _MsrestNeededError
        if data_type == "object":
            return self._object(value)
        exact = _EXACT_SCALARS.get(data_type)
        if exact is not None:
            if type(value) is exact:
                return value
            raise _MsrestNeededError
        if data_type == "iso-8601":
            if isinstance(value, datetime.datetime):
                return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
            raise _MsrestNeededError
        if data_type.startswith("[") and data_type.endswith("]"):
            if type(value) is not list:
                raise _MsrestNeededError
            item_type = data_type[1:-1]
            return [None if item is None else self._value(item, item_type) for item in value]
        if data_type.startswith("{") and data_type.endswith("}"):
            if type(value) is not dict:
                raise _MsrestNeededError
            item_type = data_type[1:-1]
            return {
                self._key(key): None if item is None else self._value(item, item_type)
                for key, item in value.items()
            }
        cls = self.dependencies.get(data_type)
        if cls is None or issubclass(cls, Enum) or not isinstance(value, Model):
            raise _MsrestNeededError
        return self._model(value)

    def _object(self, value: Any) -> Any:
        if _plain_json(value):
            return value  # msrest would rebuild an equal tree; json.dumps writes the same
        kind = type(value)
        if value is None or kind is str or kind is int or kind is float or kind is bool:
            return value
        if kind is dict:
            return {self._key(key): self._object(item) for key, item in value.items()}
        if kind is list:
            return [self._object(item) for item in value]
        if isinstance(value, Model):
            return self._model(value)
        raise _MsrestNeededError

    @staticmethod
    def _key(key: Any) -> str:
        if not isinstance(key, str) or type(key) is not str:
            raise _MsrestNeededError
        return key


# --------------------------------------------------------------------------- inbound
#: JSON key -> (attribute name, msrest type string); ``None`` for a class msrest must handle.
_ReadPlan = dict[str, tuple[str, str]] | None
_READ_PLANS: dict[type, _ReadPlan] = {}
#: The one shape of ISO 8601 date-time read without msrest: what Teams, the Emulator and
#: Azure send (``2024-05-14T08:59:03.2176544Z``, ``2024-05-14T11:12:41+02:00``).
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):(\d\d))",
    re.ASCII,
)


def _read_plan(cls: type) -> _ReadPlan:
    plan = _READ_PLANS.get(cls, False)
    if plan is not False:
        return plan  # type: ignore[return-value]
    attribute_map: dict[str, dict[str, Any]] = getattr(cls, "_attribute_map", {})
    keys = [desc["key"] for desc in attribute_map.values()]
    simple = (
        not getattr(cls, "_validation", None)  # readonly and constant change instantiation
        and not getattr(cls, "_subtype_map", None)  # polymorphic classes are classified
        and "additional_properties" not in attribute_map  # msrest's special case
        and all(key and "." not in key and "\\" not in key for key in keys)
        and len(set(keys)) == len(keys)
        and all(isinstance(desc["type"], str) for desc in attribute_map.values())
        # msrest passes None for every absent key; leaving them out must be the same
        and _defaults_to_none(cls, attribute_map)
    )
    result: _ReadPlan = (
        {desc["key"]: (name, desc["type"]) for name, desc in attribute_map.items()}
        if simple
        else None
    )
    _READ_PLANS[cls] = result
    return result


def _defaults_to_none(cls: type, attributes: Mapping[str, Any]) -> bool:
    """Whether ``cls(...)`` sets each of ``attributes`` to ``None`` when it is not passed."""
    try:
        parameters = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return False
    return all(
        name in parameters
        and parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        and parameters[name].default is None
        for name in attributes
    )


def iso_datetime(text: str) -> datetime.datetime:
    """msrest's ``Deserializer.deserialize_iso(text)``, without its regexes and ``Decimal``
    for the common shape (date, time to the second, up to 9 fraction digits, ``Z`` or an
    ``+hh:mm`` offset): the same value, with isodate's own time zone classes.

    Raises:
        ValueError: ``text`` has another shape or is not a valid date; msrest decides.
    """
    match = _ISO_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone, sign, zone_hours, zone_minutes = (
        match.groups()
    )
    # msrest keeps 6 fraction digits and isodate rounds them down: microseconds, truncated.
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    tzinfo: datetime.tzinfo
    if zone == "Z":
        tzinfo = isodate.UTC
    else:
        if int(zone_hours) * 60 + int(zone_minutes) >= 24 * 60:
            raise ValueError(text)  # not a valid offset (the pattern allows up to +99:99)
        factor = -1 if sign == "-" else 1
        tzinfo = isodate.FixedOffset(factor * int(zone_hours), factor * int(zone_minutes), zone)
    moment = datetime.datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        microsecond,
        tzinfo,
    )
    # msrest's range check (it raises beyond): an offset under a day moves the UTC year out
    # of 1..9999 only from year 1 or 9999.
    if not 1 < moment.year < 9999 and not 1 <= moment.utctimetuple().tm_year <= 9999:
        raise ValueError(text)
    return moment


class ActivityReader:
    """msrest's ``Model.deserialize`` for parsed JSON bodies, fast for the plain shapes.

    Args:
        classes: The model classes by name (``Activity._infer_class_models()``).
    """

    def __init__(self, classes: Mapping[str, type]) -> None:
        self.dependencies = dict(classes)

    def read(self, cls: type[M], data: Any) -> M:
        """``cls.deserialize(data)``, for ``data`` as ``json.loads`` returns it.

        Raises:
            msrest.exceptions.DeserializationError: Whatever msrest raises for ``data``.
        """
        try:
            model: M = self._model(cls, data)
        except (_MsrestNeededError, ValueError, TypeError, OverflowError):
            model = cls.deserialize(data)  # type: ignore[no-untyped-call]
        return model

    def _model(self, cls: type[M], data: Any) -> M:
        if type(data) is not dict:
            raise _MsrestNeededError
        plan = _read_plan(cls)
        if plan is None:
            raise _MsrestNeededError
        kwargs: dict[str, Any] = {}
        unknown: list[str] = []
        for key, raw in data.items():  # only the keys present: absent ones default to None
            found = plan.get(key)
            if found is None:
                unknown.append(key)
            elif raw is not None:
                name, data_type = found
                plain = data_type == "str" and type(raw) is str  # most values: no call
                kwargs[name] = raw if plain else self._value(raw, data_type)
        model = cls(**kwargs)
        if unknown:  # msrest keeps unknown keys, values as they are
            model.additional_properties = {key: data[key] for key in unknown}
        return model

    def _value(self, raw: Any, data_type: str) -> Any:
        kind = type(raw)
        if data_type == "str":
            if kind is str:
                return raw
            raise _MsrestNeededError
        if data_type == "object":
            return raw  # parsed JSON: msrest's copy of it is equal
        if data_type == "bool":
            if kind is bool:
                return raw
            raise _MsrestNeededError
        if data_type == "int":
            if kind is int:
                return raw
            raise _MsrestNeededError
        if data_type == "iso-8601":
            if kind is str:
                return iso_datetime(raw)
            raise _MsrestNeededError
        if data_type.startswith("[") and data_type.endswith("]"):
            if kind is not list:
                raise _MsrestNeededError
            item_type = data_type[1:-1]
            return [None if item is None else self._value(item, item_type) for item in raw]
        if data_type.startswith("{") and data_type.endswith("}"):
            if kind is not dict:
                raise _MsrestNeededError
            item_type = data_type[1:-1]
            return {
                key: None if item is None else self._value(item, item_type)
                for key, item in raw.items()
            }
        cls = self.dependencies.get(data_type)
        if cls is None or not issubclass(cls, Model):
            raise _MsrestNeededError  # enums, and types msrest converts (float, date...)
        return self._model(cls, raw)


@functools.cache
def _activity_reader() -> ActivityReader:
    return ActivityReader(Activity._infer_class_models())


def read_activity_json(body: Any) -> Activity:
    """``Activity.deserialize(body)`` for a parsed request body, built fast when it is plain.

    Raises:
        msrest.exceptions.DeserializationError: Where msrest raises it (a ``ValueError``);
            msrest may also raise ``TypeError`` or ``AttributeError`` on some mistyped fields.
    """
    return _activity_reader().read(Activity, body)

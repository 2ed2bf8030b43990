"""The fast inbound reader builds exactly the Activity msrest's ``Activity.deserialize`` builds.

"Exactly": the same model classes all the way down, the same attributes (``None`` ones
included), the same ``additional_properties``, the same values of the same types; dates equal
as instants *and* with isodate's own time zone classes, names and offsets. Checked on every
saved payload (which must not need msrest at all), on thousands of generated variants (fields
replaced by any JSON value, unknown keys, removed keys), and on generated date strings.
"""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from botbuilder.schema import Activity
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msrest.serialization import Deserializer, Model

from bot.activity_json import ActivityReader, iso_datetime, read_activity_json

PAYLOADS = sorted((Path(__file__).resolve().parents[1] / "payloads").glob("*.json"))
READER = ActivityReader(Activity._infer_class_models())
EXAMPLES = 1500


def same(a: Any, b: Any, where: str = "activity") -> None:
    """Assert ``a`` and ``b`` are the same tree of models, containers and values."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, Model):
        assert a.__dict__.keys() == b.__dict__.keys(), where
        for name in a.__dict__:
            same(a.__dict__[name], b.__dict__[name], f"{where}.{name}")
    elif isinstance(a, dict):
        assert list(a) == list(b) or set(a) == set(b), where  # msrest: set order for extras
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{index}]")
    elif isinstance(a, datetime.datetime):
        assert a == b, where
        assert a.replace(tzinfo=None) == b.replace(tzinfo=None), where
        assert type(a.tzinfo) is type(b.tzinfo), where
        assert a.utcoffset() == b.utcoffset(), where
        assert a.tzname() == b.tzname(), where
    elif isinstance(a, float) and a != a:  # NaN
        assert b != b, where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def outcome(read: Any, body: Any) -> Any:
    """The model ``read`` builds from ``body``, or the type of the error it raises."""
    try:
        return read(body)
    except Exception as error:
        return type(error)


def assert_same_as_msrest(body: Any) -> None:
    expected = outcome(Activity.deserialize, copy.deepcopy(body))
    actual = outcome(read_activity_json, copy.deepcopy(body))
    if isinstance(expected, type):
        assert actual is expected
    else:
        same(actual, expected)


@pytest.mark.parametrize("path", PAYLOADS, ids=lambda path: path.stem)
def test_saved_payload_is_read_like_msrest_without_msrest(path: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))

    fast = READER._model(Activity, copy.deepcopy(body))  # raises if it needed msrest

    same(fast, Activity.deserialize(copy.deepcopy(body)))
    assert_same_as_msrest(body)


def test_unknown_keys_are_additional_properties_as_in_msrest() -> None:
    body = json.loads(PAYLOADS[0].read_text(encoding="utf-8"))
    body["brandNew"] = {"x": [1, 2]}
    body["from"]["extra"] = "y"

    activity = read_activity_json(copy.deepcopy(body))

    assert activity.additional_properties == {"brandNew": {"x": [1, 2]}}
    assert activity.from_property.additional_properties == {"extra": "y"}
    assert_same_as_msrest(body)


# --------------------------------------------------------------------------- generated
LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2024-05-14T08:59:03.2176544Z", "2024-05-14T11:12:41+02:00", "Z", "1"]),
)
JSON_VALUE = st.recursive(
    LEAF,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
#: Every key of every model an activity holds (so replacements hit typed fields).
KEYS = sorted(
    {
        description["key"]
        for cls in Activity._infer_class_models().values()
        for description in getattr(cls, "_attribute_map", {}).values()
        if description["key"]
    }
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def variants(draw: st.DrawFn) -> Any:
    """A saved payload with some values replaced, keys added or removed."""
    body = json.loads(draw(st.sampled_from(PAYLOADS)).read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.integers(0, 3))
        if action == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == 1 and isinstance(parent[path[-1]], dict):
            key = draw(st.sampled_from(KEYS) | st.text(max_size=6))
            parent[path[-1]][key] = draw(JSON_VALUE)
        else:
            parent[path[-1]] = draw(JSON_VALUE)
    return body


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(variants())
def test_generated_variants_are_read_like_msrest(body: Any) -> None:
    assert_same_as_msrest(body)


@settings(
    max_examples=EXAMPLES // 3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(JSON_VALUE | st.dictionaries(st.sampled_from(KEYS), JSON_VALUE, max_size=6))
def test_any_json_is_read_like_msrest(body: Any) -> None:
    assert_same_as_msrest(body)


# --------------------------------------------------------------------------- dates
MOMENTS = st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)
)
ZONES = st.one_of(
    st.just("Z"),
    st.builds(
        lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}",
        st.sampled_from("+-"),
        st.integers(0, 99),  # the pattern takes any two digits, beyond a day's offset
        st.integers(0, 99),
    ),
)


@st.composite
def date_strings(draw: st.DrawFn) -> str:
    moment = draw(MOMENTS).strftime("%Y-%m-%dT%H:%M:%S")
    digits = draw(st.integers(0, 10))
    fraction = "." + draw(st.text("0123456789", min_size=digits, max_size=digits)) if digits else ""
    return moment + fraction + draw(ZONES)


def msrest_date(text: str) -> Any:
    try:
        return Deserializer.deserialize_iso(text)  # type: ignore[no-untyped-call]
    except Exception as error:
        return type(error)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)
@given(
    date_strings()
    | st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?[Z+-]?[0-9:]{0,6}\Z"
    )
    | st.text(max_size=30)
)
def test_dates_are_read_like_msrest(text: str) -> None:
    expected = msrest_date(text)
    try:
        actual = iso_datetime(text)
    except ValueError:
        return  # msrest reads it (the reader falls back): nothing to compare
    assert not isinstance(expected, type), f"msrest refuses {text!r}, the fast path did not"
    same(actual, expected, text)


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-14T08:59:03.2176544Z",
        "2024-05-14T11:12:41+02:00",
        "2024-05-14T11:31:02.114+02:00",
        "2024-05-14T09:12:41.130Z",
        "2024-05-14T11:31:02.1234567-00:30",
        "0001-01-01T00:00:00+00:00",
    ],
)
def test_teams_dates_take_the_fast_path(text: str) -> None:
    expected = Deserializer.deserialize_iso(text)  # type: ignore[no-untyped-call]
    same(iso_datetime(text), expected, text)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:30:00+01:00",  # UTC year 0
        "0001-01-01T01:30:00+01:00",
        "0001-12-31T23:30:00-01:00",
        "9999-12-31T23:30:00-01:00",  # UTC year 10000
        "9999-12-31T22:30:00-01:00",
        "9999-01-01T00:30:00+01:00",
        "0002-01-01T00:30:00+23:59",
        "9998-12-31T23:30:00-23:59",
        # offsets of a day or more, which the pattern allows and a time zone cannot have
        "2024-05-14T11:12:41+24:00",
        "2024-05-14T11:12:41-23:60",
        "2024-05-14T11:12:41+99:99",
        "2024-05-14T11:12:41+05:75",
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_read_like_msrest(text: str) -> None:
    expected = msrest_date(text)
    if isinstance(expected, type):  # msrest refuses it: the fast path too (the reader falls back)
        with pytest.raises((ValueError, OverflowError)):
            iso_datetime(text)
        return
    try:
        actual = iso_datetime(text)
    except ValueError:
        return  # the fast path leaves it to msrest
    same(actual, expected, text)
    actual.utcoffset()  # a usable time zone

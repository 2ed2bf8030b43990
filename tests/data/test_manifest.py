"""The shipped Teams app package: manifest template, filled manifest, icons and zip.

The filled manifest (template + each committed ``deployment/env/.env.<name>``) is validated
against the official Teams manifest schema stored in ``tests/schemas`` with jsonschema's
Draft4Validator, plus the two rules that validator cannot see (``const`` on
``manifestVersion``, and the ``$schema`` URL version). Icons are decoded with zlib and
struct, so Pillow is not needed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from jsonschema import Draft4Validator

from deployment.package import (
    APP_PACKAGE_DIR,
    ENV_DIR,
    build_package,
    fill_placeholders,
    load_environment,
    manifest_problems,
)
from intents.build import build_matcher
from intents.models import Decision

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "schemas" / "teams-manifest"
SCHEMA_URL = (
    "https://developer.microsoft.com/json-schemas/teams/v{version}/MicrosoftTeams.schema.json"
)
PLACEHOLDER = re.compile(r"^\$\{\{[A-Z][A-Z0-9_]*\}\}$")
ENV_NAMES = sorted(
    path.name.removeprefix(".env.")
    for path in ENV_DIR.glob(".env.*")
    if not path.name.endswith(".user")
)

# What a click on each suggested command sends; the bot must answer it with this entry.
COMMAND_ENTRIES = {
    "How do I claim workloads?": "claim-workloads",
    "How do I request an SME?": "request-sme",
    "How do I register customers?": "register-customers",
    "What is FTOP?": "manage-engagements",
    "What is Engagement Start Date?": "esd-purpose",
    "Where is program news?": "stay-up-to-date",
}


def _raw_manifest() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (APP_PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8")
    )
    return document


def _filled_manifest(env_name: str) -> dict[str, Any]:
    filled: dict[str, Any] = fill_placeholders(_raw_manifest(), load_environment(env_name))
    return filled


def _schema(version: str) -> dict[str, Any]:
    path = SCHEMAS / f"v{version}" / "MicrosoftTeams.schema.json"
    assert path.is_file(), f"no stored Teams manifest schema for manifestVersion {version!r}"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _schema_errors(manifest: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Official-schema errors, plus the ``const`` and ``$schema`` checks Draft 4 skips."""
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in Draft4Validator(schema).iter_errors(manifest)
    ]
    version = manifest.get("manifestVersion")
    expected = schema["properties"]["manifestVersion"].get("const")
    if expected is not None and version != expected:
        errors.append(f"manifestVersion: {version!r} is not the schema's const {expected!r}")
    if manifest.get("$schema") != SCHEMA_URL.format(version=version):
        errors.append(f"$schema {manifest.get('$schema')!r} is not the v{version} schema URL")
    return errors


# -- the template -----------------------------------------------------------------------------


def test_there_is_a_committed_dev_environment() -> None:
    assert "dev" in ENV_NAMES


def test_template_uses_placeholders_for_ids_and_domains() -> None:
    manifest = _raw_manifest()

    assert manifest["id"] == "${{TEAMS_APP_ID}}"
    assert [bot["botId"] for bot in manifest["bots"]] == ["${{BOT_ID}}"]
    assert [ext["botId"] for ext in manifest["composeExtensions"]] == ["${{BOT_ID}}"]
    assert manifest["validDomains"] == ["${{BOT_DOMAIN}}"]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert PLACEHOLDER.match(manifest["developer"][key]), key


def test_schema_url_and_manifest_version_are_in_step() -> None:
    manifest = _raw_manifest()

    assert manifest["manifestVersion"] == "1.24"
    assert manifest["$schema"] == SCHEMA_URL.format(version="1.24")


def test_app_version_is_semver() -> None:
    assert re.fullmatch(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)", _raw_manifest()["version"])


def test_bot_is_conversational_in_personal_team_and_group_chat() -> None:
    (bot,) = _raw_manifest()["bots"]

    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False


def test_each_scope_has_one_command_list_with_help_and_top_questions() -> None:
    (bot,) = _raw_manifest()["bots"]

    scopes = [scope for command_list in bot["commandLists"] for scope in command_list["scopes"]]
    assert sorted(scopes) == sorted(bot["scopes"])
    for command_list in bot["commandLists"]:
        titles = [command["title"] for command in command_list["commands"]]
        assert titles[0] == "help"
        assert len(titles) >= 4
        assert set(titles[1:]) <= set(COMMAND_ENTRIES)
        assert all(len(title) <= 32 for title in titles)  # Teams truncates longer titles


def test_search_extension_matches_the_handler_contract() -> None:
    manifest = _raw_manifest()

    (extension,) = manifest["composeExtensions"]
    assert extension["botId"] == manifest["bots"][0]["botId"]
    (command,) = extension["commands"]
    assert command["id"] == "searchFaq"
    assert command["type"] == "query"
    assert command["context"] == ["compose", "commandBox"]
    assert command["initialRun"] is True
    (parameter,) = command["parameters"]
    assert parameter["name"] == "query"
    assert parameter["title"] == "Question"
    assert parameter["description"]


def test_descriptions_say_what_the_bot_answers() -> None:
    description = _raw_manifest()["description"]

    assert "FastTrack Ready" in description["short"]
    for topic in (
        "incentive payments",
        "subject-matter expert",
        "FTOP",
        "register customers",
        "compliant",
        "partners are in the program",
        "Yammer",
        "Heads Up",
        "GDPR",
        "Portfolio View",
        "Engagement Start Date",
    ):
        assert topic in description["full"], topic


# -- the filled manifest ----------------------------------------------------------------------


@pytest.mark.parametrize("env_name", ENV_NAMES)
def test_filled_manifest_is_valid_against_the_official_schema(env_name: str) -> None:
    manifest = _filled_manifest(env_name)

    assert _schema_errors(manifest, _schema(manifest["manifestVersion"])) == []


@pytest.mark.parametrize("env_name", ENV_NAMES)
def test_filled_manifest_passes_the_packager_checks(env_name: str) -> None:
    assert manifest_problems(_filled_manifest(env_name)) == []


def test_schema_check_enforces_const_and_schema_url() -> None:
    schema = _schema("1.24")
    wrong_url = {**_filled_manifest("dev"), "$schema": SCHEMA_URL.format(version="1.17")}
    wrong_version = {**_filled_manifest("dev"), "manifestVersion": "1.23"}

    assert any(error.startswith("$schema") for error in _schema_errors(wrong_url, schema))
    assert Draft4Validator(schema).is_valid(wrong_version)  # Draft 4 ignores const...
    assert any("const" in error for error in _schema_errors(wrong_version, schema))  # ...we don't


def test_raw_template_is_not_valid_until_filled() -> None:
    errors = _schema_errors(_raw_manifest(), _schema("1.24"))

    assert any(error.startswith("id:") for error in errors)
    assert any(error.startswith("bots/0/botId:") for error in errors)


def test_package_zip_holds_the_filled_manifest_and_icons_at_its_root(tmp_path: Path) -> None:
    target = build_package("dev", out_dir=tmp_path)

    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert json.loads(archive.read("manifest.json")) == _filled_manifest("dev")
        for name in ("color.png", "outline.png"):
            assert archive.read(name) == (APP_PACKAGE_DIR / name).read_bytes()


# -- suggested commands -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def answers() -> dict[str, tuple[Decision, str | None]]:
    matcher = build_matcher(ROOT / "faq_data")
    verdicts: dict[str, tuple[Decision, str | None]] = {}
    for title in ["help", *COMMAND_ENTRIES]:
        result = matcher.match(title)
        best = result.best
        verdicts[title] = (result.decision, best.entry.id if best else result.smalltalk)
    return verdicts


def test_help_command_gets_the_help_reply(
    answers: dict[str, tuple[Decision, str | None]],
) -> None:
    assert answers["help"] == (Decision.SMALLTALK, "help")


@pytest.mark.parametrize(("title", "entry_id"), COMMAND_ENTRIES.items())
def test_command_titles_are_answered_with_their_entry(
    answers: dict[str, tuple[Decision, str | None]], title: str, entry_id: str
) -> None:
    assert answers[title] == (Decision.ANSWER, entry_id)


# -- icons ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    """A decoded 8-bit RGB or RGBA PNG; ``pixels`` are RGBA tuples, row by row."""

    width: int
    height: int
    pixels: list[tuple[int, int, int, int]]


def _read_png(path: Path) -> Image:
    """Decode a non-interlaced 8-bit RGB/RGBA PNG with every filter type (zlib + struct)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    position, header, compressed = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"{path.name}: bad {kind!r} CRC"
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0), "only 8-bit, non-interlaced PNGs are supported"
    assert colour in (2, 6), "only RGB and RGBA PNGs are supported"
    channels = 4 if colour == 6 else 3
    stride = width * channels
    raw = zlib.decompress(compressed)
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                predictor = left
            elif kind == 2:
                predictor = up
            elif kind == 3:
                predictor = (left + up) // 2
            elif kind == 4:
                estimate = left + up - up_left
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - up_left))
                predictor = (left, up, up_left)[distances.index(min(distances))]
            else:
                predictor = 0
            line[x] = (line[x] + predictor) & 0xFF
        rows.append(line)
        previous = line
    pixels = [
        (row[i], row[i + 1], row[i + 2], row[i + 3] if channels == 4 else 255)
        for row in rows
        for i in range(0, stride, channels)
    ]
    return Image(width, height, pixels)


def _load_icon_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "tests_data_make_icons", APP_PACKAGE_DIR / "make_icons.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_manifest_names_the_two_icons() -> None:
    assert _raw_manifest()["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_colour_icon_is_192_square_opaque_and_not_blank() -> None:
    image = _read_png(APP_PACKAGE_DIR / "color.png")

    assert (image.width, image.height) == (192, 192)
    assert all(alpha == 255 for *_, alpha in image.pixels)
    assert len({pixel[:3] for pixel in image.pixels}) >= 2
    corner = image.pixels[0][:3]
    assert corner == image.pixels[-1][:3], "the background is one solid colour"


def test_outline_icon_is_32_square_white_on_transparent() -> None:
    image = _read_png(APP_PACKAGE_DIR / "outline.png")

    assert (image.width, image.height) == (32, 32)
    coloured = [pixel for pixel in image.pixels if pixel[3] and pixel[:3] != (255, 255, 255)]
    assert coloured == [], "visible pixels must be pure white"
    assert image.pixels[0][3] == 0, "the background must be fully transparent"
    opaque = sum(1 for pixel in image.pixels if pixel[3] == 255)
    assert opaque >= 0.3 * len(image.pixels), "the symbol must fill the icon (no padding)"


def test_outline_icon_is_what_the_script_draws() -> None:
    """Guards against hand-edited PNGs. (The colour icon takes seconds to draw: not run here.)"""
    script = _load_icon_script()

    assert script.png_bytes(script.outline_icon()) == (APP_PACKAGE_DIR / "outline.png").read_bytes()

"""Build the Teams app package: fill the manifest template, zip it with the icons.

``python -m deployment.package --env dev`` (what ``make package ENV=dev`` runs) reads
``deployment/env/.env.dev`` and, when it exists, ``deployment/env/.env.dev.user`` (whose values
win), replaces every ``${{NAME}}`` placeholder in ``deployment/appPackage/manifest.json`` and
writes ``deployment/build/appPackage.dev.zip``: ``manifest.json`` and the icons it names, at
the zip root, ready to upload to Teams.

Rules:

- Only the env files are read, never the process environment, so a package is reproducible
  from the repository plus the ``.user`` file.
- Every placeholder needs a non-empty value (only :data:`OPTIONAL_VARIABLES` may be empty);
  otherwise the build stops with one error that names every missing variable.
- Values are substituted inside JSON strings and re-serialised, so quotes or backslashes in a
  value cannot break the JSON.
- The filled manifest gets a few shape checks that the Teams upload would otherwise reject
  (GUIDs, https links, bare domains, name lengths); the tests validate it against the full
  official schema.
- The zip is deterministic: the same inputs give the same bytes.

Standard library only; the bot never imports this module.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEPLOYMENT_DIR = Path(__file__).resolve().parent
APP_PACKAGE_DIR = DEPLOYMENT_DIR / "appPackage"
ENV_DIR = DEPLOYMENT_DIR / "env"
BUILD_DIR = DEPLOYMENT_DIR / "build"
MANIFEST_NAME = "manifest.json"

PLACEHOLDER = re.compile(r"\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
"""A ``${{NAME}}`` placeholder, as the Teams / Agents Toolkit writes them."""

OPTIONAL_VARIABLES = frozenset({"APP_NAME_SUFFIX"})
"""Placeholders that may be filled with an empty value (e.g. no name suffix in production)."""

_ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_DOMAIN = re.compile(r"(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
_SCHEMA_VERSION = re.compile(r"/teams/v([0-9.]+)/MicrosoftTeams\.schema\.json$")
_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can store: no build time leaks in


class PackageError(ValueError):
    """The package cannot be built; the message lists every problem found."""


class MissingValuesError(PackageError):
    """Placeholders without a value; ``names`` lists them all, sorted."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(f"no value for {', '.join(names)}")
        self.names = tuple(names)


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a dotenv file: ``NAME=value`` lines, ``#`` comments, optional quotes.

    A value in matching single or double quotes is taken literally (spaces included);
    an unquoted value ends at `` #`` (an inline comment) and is stripped.

    Raises:
        PackageError: listing every line that is not a comment, blank, or ``NAME=value``.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(stripped)
        if match is None:
            problems.append(f"{path.name}:{number}: expected NAME=value, got {stripped!r}")
            continue
        name, raw = match.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            values[name] = raw[1:-1]
        else:
            values[name] = re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    if problems:
        raise PackageError("; ".join(problems))
    return values


def load_environment(name: str, env_dir: Path = ENV_DIR) -> dict[str, str]:
    """Values for environment ``name``: ``.env.<name>``, overridden by ``.env.<name>.user``.

    Raises:
        PackageError: if the name is not a plain word or ``.env.<name>`` does not exist.
    """
    if not _ENV_NAME.fullmatch(name):
        raise PackageError(f"invalid environment name {name!r}: use letters, digits, - and _")
    base = env_dir / f".env.{name}"
    if not base.is_file():
        known = sorted(p.name.removeprefix(".env.") for p in env_dir.glob(".env.*"))
        known = [n for n in known if not n.endswith(".user")]
        raise PackageError(
            f"no {base.name} in {env_dir.name}/ (known environments: {', '.join(known) or '-'})"
        )
    values = read_env_file(base)
    user = env_dir / f".env.{name}.user"
    if user.is_file():
        values.update(read_env_file(user))
        log.info("read %s and %s", base.name, user.name)
    else:
        log.info("read %s (no %s)", base.name, user.name)
    return values


def _strings(document: Any) -> Iterator[str]:
    """Every key and string value of a JSON document, depth first."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _strings(value)
    elif isinstance(document, list):
        for item in document:
            yield from _strings(item)


def placeholder_names(document: Any) -> list[str]:
    """Every placeholder name in a JSON document's keys and strings, sorted, once each."""
    return sorted({name for text in _strings(document) for name in PLACEHOLDER.findall(text)})


def fill_placeholders(document: Any, values: Mapping[str, str]) -> Any:
    """A copy of ``document`` with every ``${{NAME}}`` in its strings replaced by its value.

    Values are inserted literally and not scanned again for placeholders.

    Raises:
        PackageError: for a malformed ``${{`` in the template.
        MissingValuesError: naming every placeholder without a value (absent, or empty
            unless in :data:`OPTIONAL_VARIABLES`).
    """
    malformed = sorted({text for text in _strings(document) if "${{" in PLACEHOLDER.sub("", text)})
    if malformed:
        raise PackageError(f"malformed placeholders in {', '.join(map(repr, malformed))}")
    missing = [
        name
        for name in placeholder_names(document)
        if not values.get(name) and not (name in OPTIONAL_VARIABLES and name in values)
    ]
    if missing:
        raise MissingValuesError(missing)

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)

    def visit(node: Any) -> Any:
        if isinstance(node, str):
            return fill(node)
        if isinstance(node, dict):
            return {fill(key): visit(value) for key, value in node.items()}
        if isinstance(node, list):
            return [visit(item) for item in node]
        return node

    return visit(document)


def manifest_problems(manifest: Mapping[str, Any]) -> list[str]:
    """Shape checks on a filled manifest for what a Teams upload would reject.

    Not a schema validation (the tests run the official schema): these catch the usual
    mistakes in an env file, such as an id that is not a GUID, a URL in ``validDomains``, an
    ``http://`` link or a name suffix that makes a name too long.
    """
    problems: list[str] = []
    ids: dict[str, Any] = {"id": manifest.get("id")}
    for kind in ("bots", "composeExtensions"):
        for index, item in enumerate(manifest.get(kind) or []):
            ids[f"{kind}[{index}].botId"] = item.get("botId")
    for where, value in ids.items():
        if not (isinstance(value, str) and _GUID.fullmatch(value)):
            problems.append(f"{where} is not a GUID: {value!r}")
    for key, url in (manifest.get("developer") or {}).items():
        if key.endswith("Url") and not (isinstance(url, str) and url.startswith("https://")):
            problems.append(f"developer.{key} is not an https URL: {url!r}")
    for domain in manifest.get("validDomains") or []:
        if not (isinstance(domain, str) and _DOMAIN.fullmatch(domain)):
            problems.append(f"validDomains: {domain!r} is not a host name (no scheme, no path)")
    for key, limit in (("short", 30), ("full", 100)):
        name = (manifest.get("name") or {}).get(key, "")
        if len(name) > limit:
            problems.append(f"name.{key} is {len(name)} characters, at most {limit}: {name!r}")
    match = _SCHEMA_VERSION.search(str(manifest.get("$schema", "")))
    if match is None or match.group(1) != manifest.get("manifestVersion"):
        problems.append("$schema URL version and manifestVersion differ")
    return problems


def package_files(manifest: Mapping[str, Any], app_dir: Path) -> list[tuple[str, bytes]]:
    """The zip's members, in order: ``manifest.json`` then each icon the manifest names.

    Raises:
        PackageError: if an icon is missing or not a plain file name (Teams wants the icons
            at the zip root, next to the manifest).
    """
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    files = [(MANIFEST_NAME, text.encode("utf-8"))]
    problems: list[str] = []
    for role, name in (manifest.get("icons") or {}).items():
        if not isinstance(name, str) or Path(name).name != name:
            problems.append(f"icons.{role} must be a file name at the package root, got {name!r}")
        elif not (app_dir / name).is_file():
            problems.append(f"icons.{role}: {name} not found in {app_dir.name}/")
        else:
            files.append((name, (app_dir / name).read_bytes()))
    if problems:
        raise PackageError("; ".join(problems))
    return files


def zip_bytes(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A deflated zip of ``files`` with fixed timestamps and permissions (deterministic)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix, whatever the build machine
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def build_package(
    env_name: str,
    *,
    app_dir: Path = APP_PACKAGE_DIR,
    env_dir: Path = ENV_DIR,
    out_dir: Path = BUILD_DIR,
) -> Path:
    """Fill the manifest for ``env_name`` and write ``out_dir/appPackage.<env_name>.zip``.

    Returns:
        The path of the zip written.

    Raises:
        PackageError: for a missing env file, unfilled placeholders, an invalid filled
            manifest or a missing icon. Nothing is written then.
    """
    values = load_environment(env_name, env_dir)
    template = json.loads((app_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    try:
        manifest = fill_placeholders(template, values)
    except MissingValuesError as error:
        raise PackageError(
            f"{MANIFEST_NAME}: {error}; set them in {env_dir.name}/.env.{env_name}"
            f" or {env_dir.name}/.env.{env_name}.user"
        ) from None
    problems = manifest_problems(manifest)
    if problems:
        raise PackageError(
            f"{MANIFEST_NAME} filled from .env.{env_name} is invalid: {'; '.join(problems)}"
        )
    files = package_files(manifest, app_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"appPackage.{env_name}.zip"
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(zip_bytes(files))
    partial.replace(target)
    log.info("wrote %s (%s)", _shown(target), ", ".join(name for name, _ in files))
    return target


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it is below it, for log messages."""
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the process exit code (0 built, 1 not built)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    parser = argparse.ArgumentParser(
        prog="python -m deployment.package",
        description="Build deployment/build/appPackage.<env>.zip for upload to Teams.",
    )
    parser.add_argument("--env", default="dev", help="environment name: reads env/.env.<env>")
    parser.add_argument("--out-dir", type=Path, default=BUILD_DIR, help="where to write the zip")
    args = parser.parse_args(argv)
    try:
        build_package(args.env, out_dir=args.out_dir)
    except PackageError as error:
        log.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

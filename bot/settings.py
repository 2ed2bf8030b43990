"""Process settings, read once at start-up from environment variables.

Bot Framework's own names (``MicrosoftAppId`` ...) and ``PORT`` are read verbatim; everything
that belongs to this bot has a ``FAQ_`` prefix. Only :meth:`Settings.from_env` reads the
environment, and it accepts any mapping, so tests pass plain dicts. Nothing here loads the FAQ
or touches the network.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from intents import Thresholds

T = TypeVar("T")

#: ``faq_data/`` next to the ``bot`` package, so the default works from any working directory.
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "faq_data"
DEFAULT_PORT = 3978
#: The Emulator talks to ``http://localhost:3978/api/messages``; binding to loopback by default
#: keeps an unauthenticated local bot off the network. Containers set ``FAQ_HOST=0.0.0.0``.
DEFAULT_HOST = "localhost"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: The question log's SQLite file: ``var/`` next to the ``bot`` package (git-ignored).
DEFAULT_LOG_PATH = Path(__file__).resolve().parent.parent / "var" / "question-log.sqlite3"
DEFAULT_LOG_RETENTION_DAYS = 90
#: Keep-alive connections per connector service URL, per process: replies in flight at once.
#: A process answers up to about 1,000 messages a second; at 64 connections the real connector
#: (tens to hundreds of ms a call) stays out of the way up to 640 replies a second at 100 ms.
DEFAULT_CONNECTOR_CONNECTIONS = 64
MAX_CONNECTOR_CONNECTIONS = 1000
#: A salt shorter than this is guessable; ``secrets.token_hex(32)`` gives 64 characters.
MIN_LOG_SALT_CHARS = 16

_DEFAULT_THRESHOLDS = Thresholds()
_APP_TYPES = {"multitenant": "MultiTenant", "singletenant": "SingleTenant"}
_APP_TYPES["userassignedmsi"] = "UserAssignedMSI"
#: An app (client) id or a tenant id, as the Azure portal shows them.
_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
#: A tenant may also be named by one of its domains (contoso.onmicrosoft.com); never "common".
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}")


class SettingsError(ValueError):
    """The environment does not describe a runnable bot.

    Attributes:
        problems: Every problem found, one sentence each, naming the variable.
        fallback: The settings with defaults in place of the unusable values, so that a caller
            can still check the FAQ data and report every problem at once.
    """

    def __init__(self, problems: Sequence[str], fallback: Settings) -> None:
        self.problems = list(problems)
        self.fallback = fallback
        super().__init__("\n".join(f"- {problem}" for problem in self.problems))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the process needs from its environment.

    ``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE`` and ``APP_TENANTID`` are read by name (getattr)
    by botbuilder's ``ConfigurationBotFrameworkAuthentication``: do not rename them. Our own
    fields are upper-case too, so the class reads as one table.
    """

    APP_ID: str = ""
    APP_PASSWORD: str = field(default="", repr=False)  # a secret: never logged
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""
    PORT: int = DEFAULT_PORT
    FAQ_HOST: str = DEFAULT_HOST
    FAQ_DATA_DIR: Path = DEFAULT_DATA_DIR
    FAQ_ANSWER_THRESHOLD: float = _DEFAULT_THRESHOLDS.answer
    FAQ_ANSWER_MARGIN: float = _DEFAULT_THRESHOLDS.margin
    FAQ_CLARIFY_THRESHOLD: float = _DEFAULT_THRESHOLDS.clarify
    FAQ_LOG_LEVEL: str = "INFO"
    FAQ_LOG_ENABLED: bool = True
    FAQ_LOG_PATH: Path = DEFAULT_LOG_PATH
    FAQ_DATABASE_URL: str = field(default="", repr=False)  # may hold a password: never logged
    FAQ_LOG_SALT: str = field(default="", repr=False)  # a secret: never logged
    FAQ_LOG_RETENTION_DAYS: int = DEFAULT_LOG_RETENTION_DAYS
    FAQ_CONNECTOR_CONNECTIONS: int = DEFAULT_CONNECTOR_CONNECTIONS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Read and validate the settings.

        Args:
            environ: The variables to read; the process environment by default. Unset and
                empty variables take their defaults.

        Returns:
            Valid settings.

        Raises:
            SettingsError: Listing every problem (not just the first one).
        """
        problems: list[str] = []

        def read(name: str, cast: Callable[[str], T], default: T, kind: str) -> T:
            raw = environ.get(name, "").strip()
            if not raw:
                return default
            try:
                return cast(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not {kind}")
                return default

        settings = cls(
            APP_ID=read("MicrosoftAppId", str, "", "text"),
            APP_PASSWORD=read("MicrosoftAppPassword", str, "", "text"),
            APP_TYPE=read("MicrosoftAppType", str, "MultiTenant", "text"),
            APP_TENANTID=read("MicrosoftAppTenantId", str, "", "text"),
            PORT=read("PORT", int, DEFAULT_PORT, "a whole number"),
            FAQ_HOST=read("FAQ_HOST", str, DEFAULT_HOST, "text"),
            FAQ_DATA_DIR=read("FAQ_DATA_DIR", Path, DEFAULT_DATA_DIR, "a path"),
            FAQ_ANSWER_THRESHOLD=read(
                "FAQ_ANSWER_THRESHOLD", float, _DEFAULT_THRESHOLDS.answer, "a number"
            ),
            FAQ_ANSWER_MARGIN=read(
                "FAQ_ANSWER_MARGIN", float, _DEFAULT_THRESHOLDS.margin, "a number"
            ),
            FAQ_CLARIFY_THRESHOLD=read(
                "FAQ_CLARIFY_THRESHOLD", float, _DEFAULT_THRESHOLDS.clarify, "a number"
            ),
            FAQ_LOG_LEVEL=read("FAQ_LOG_LEVEL", str.upper, "INFO", "a log level"),
            FAQ_LOG_ENABLED=read("FAQ_LOG_ENABLED", _boolean, True, "true or false"),
            FAQ_LOG_PATH=read("FAQ_LOG_PATH", Path, DEFAULT_LOG_PATH, "a path"),
            FAQ_DATABASE_URL=read("FAQ_DATABASE_URL", str, "", "text"),
            FAQ_LOG_SALT=read("FAQ_LOG_SALT", str, "", "text"),
            FAQ_LOG_RETENTION_DAYS=read(
                "FAQ_LOG_RETENTION_DAYS", int, DEFAULT_LOG_RETENTION_DAYS, "a whole number"
            ),
            FAQ_CONNECTOR_CONNECTIONS=read(
                "FAQ_CONNECTOR_CONNECTIONS",
                int,
                DEFAULT_CONNECTOR_CONNECTIONS,
                "a whole number",
            ),
        )
        problems += settings.problems()
        if problems:
            raise SettingsError(problems, settings.usable())
        return settings

    @property
    def thresholds(self) -> Thresholds:
        """The matcher's thresholds: ours from the environment, the rest intents' defaults."""
        return Thresholds(
            answer=self.FAQ_ANSWER_THRESHOLD,
            margin=self.FAQ_ANSWER_MARGIN,
            clarify=self.FAQ_CLARIFY_THRESHOLD,
        )

    @property
    def auth_enabled(self) -> bool:
        """False when the app id is empty: the Emulator's local mode, never for Teams."""
        return bool(self.APP_ID)

    def problems(self) -> list[str]:
        """What is inconsistent in these settings (empty when they are usable)."""
        found = self._identity_problems()
        if not 1 <= self.PORT <= 65535:
            found.append(f"PORT must be from 1 to 65535, got {self.PORT}")
        if not self.FAQ_HOST:
            found.append("FAQ_HOST must not be empty")
        if self.FAQ_LOG_LEVEL not in LOG_LEVELS:
            found.append(
                f"FAQ_LOG_LEVEL={self.FAQ_LOG_LEVEL!r} is not one of {', '.join(LOG_LEVELS)}"
            )
        if not 1 <= self.FAQ_CONNECTOR_CONNECTIONS <= MAX_CONNECTOR_CONNECTIONS:
            found.append(
                f"FAQ_CONNECTOR_CONNECTIONS must be from 1 to {MAX_CONNECTOR_CONNECTIONS}, "
                f"got {self.FAQ_CONNECTOR_CONNECTIONS}"
            )
        found += self._threshold_problems()
        found += self._question_log_problems()
        return found

    def _identity_problems(self) -> list[str]:
        """The bot identity (``MicrosoftApp*``) botbuilder needs for each app type.

        The values of ``MicrosoftAppId`` and ``MicrosoftAppTenantId`` are never quoted: when one
        is malformed, it may be the password pasted into the wrong variable.
        """
        found: list[str] = []
        app_type = self.APP_TYPE.lower()
        if app_type not in _APP_TYPES:
            found.append(
                f"MicrosoftAppType={self.APP_TYPE!r} is not one of {', '.join(_APP_TYPES.values())}"
            )
        if app_type in ("singletenant", "userassignedmsi"):
            if not self.APP_ID:
                found.append(f"MicrosoftAppId is required when MicrosoftAppType={self.APP_TYPE}")
            if not self.APP_TENANTID:
                found.append(
                    f"MicrosoftAppTenantId is required when MicrosoftAppType={self.APP_TYPE}"
                )
        if app_type == "singletenant" and not self.APP_PASSWORD:
            found.append("MicrosoftAppPassword is required when MicrosoftAppType=SingleTenant")
        if app_type == "multitenant" and self.APP_ID and not self.APP_PASSWORD:
            found.append(
                "MicrosoftAppPassword is required when MicrosoftAppId is set "
                "(MultiTenant); leave both empty to run without authentication"
            )
        if app_type == "multitenant" and self.APP_PASSWORD and not self.APP_ID:
            found.append("MicrosoftAppPassword is set but MicrosoftAppId is empty")
        if app_type == "userassignedmsi" and self.APP_PASSWORD:
            found.append(
                "MicrosoftAppPassword must be empty when MicrosoftAppType=UserAssignedMSI "
                "(the managed identity gets its tokens without a secret)"
            )
        if self.APP_ID and not _GUID.fullmatch(self.APP_ID):
            found.append(
                "MicrosoftAppId is not a GUID: it must be the Application (client) ID of the "
                "bot's app registration or managed identity (value not shown)"
            )
        if self.APP_TENANTID and not (
            _GUID.fullmatch(self.APP_TENANTID) or _DOMAIN.fullmatch(self.APP_TENANTID)
        ):
            found.append(
                "MicrosoftAppTenantId must be the Directory (tenant) ID, a GUID, or one of the "
                "tenant's domains such as contoso.onmicrosoft.com (value not shown)"
            )
        return found

    def _question_log_problems(self) -> list[str]:
        if not self.FAQ_LOG_ENABLED:
            return []
        found: list[str] = []
        if self.APP_ID and not self.FAQ_LOG_SALT:
            found.append(
                "FAQ_LOG_SALT is required when MicrosoftAppId is set (it keys the hash of "
                "user ids in the question log); generate one with "
                "python -c 'import secrets; print(secrets.token_hex(32))', "
                "or set FAQ_LOG_ENABLED=false"
            )
        elif self.FAQ_LOG_SALT and len(self.FAQ_LOG_SALT) < MIN_LOG_SALT_CHARS:
            found.append(f"FAQ_LOG_SALT must be at least {MIN_LOG_SALT_CHARS} characters long")
        if self.FAQ_DATABASE_URL and not self.FAQ_DATABASE_URL.startswith(
            ("postgresql://", "postgres://")
        ):
            found.append("FAQ_DATABASE_URL must be a postgresql:// URL")
        if not 1 <= self.FAQ_LOG_RETENTION_DAYS <= 3650:
            found.append(
                f"FAQ_LOG_RETENTION_DAYS must be from 1 to 3650, got {self.FAQ_LOG_RETENTION_DAYS}"
            )
        return found

    def _threshold_problems(self) -> list[str]:
        found: list[str] = []
        values = {
            "FAQ_ANSWER_THRESHOLD": self.FAQ_ANSWER_THRESHOLD,
            "FAQ_ANSWER_MARGIN": self.FAQ_ANSWER_MARGIN,
            "FAQ_CLARIFY_THRESHOLD": self.FAQ_CLARIFY_THRESHOLD,
        }
        for name, value in values.items():
            if not 0.0 <= value <= 1.0:  # also rejects nan
                found.append(f"{name} must be within [0, 1], got {value}")
        if not found and self.FAQ_CLARIFY_THRESHOLD > self.FAQ_ANSWER_THRESHOLD:
            found.append(
                f"FAQ_CLARIFY_THRESHOLD ({self.FAQ_CLARIFY_THRESHOLD}) must not exceed "
                f"FAQ_ANSWER_THRESHOLD ({self.FAQ_ANSWER_THRESHOLD})"
            )
        if not found:  # anything intents checks that we do not know about
            found += [f"thresholds: {problem}" for problem in self.thresholds.problems()]
        return found

    def usable(self) -> Settings:
        """These settings with defaults in place of the values that cannot be used."""
        defaults = Settings()
        settings = self
        if not 1 <= self.PORT <= 65535:
            settings = replace(settings, PORT=defaults.PORT)
        if not self.FAQ_HOST:
            settings = replace(settings, FAQ_HOST=defaults.FAQ_HOST)
        if self.FAQ_LOG_LEVEL not in LOG_LEVELS:
            settings = replace(settings, FAQ_LOG_LEVEL=defaults.FAQ_LOG_LEVEL)
        if not 1 <= self.FAQ_LOG_RETENTION_DAYS <= 3650:
            settings = replace(settings, FAQ_LOG_RETENTION_DAYS=defaults.FAQ_LOG_RETENTION_DAYS)
        if not 1 <= self.FAQ_CONNECTOR_CONNECTIONS <= MAX_CONNECTOR_CONNECTIONS:
            settings = replace(
                settings, FAQ_CONNECTOR_CONNECTIONS=defaults.FAQ_CONNECTOR_CONNECTIONS
            )
        if self._threshold_problems():
            settings = replace(
                settings,
                FAQ_ANSWER_THRESHOLD=defaults.FAQ_ANSWER_THRESHOLD,
                FAQ_ANSWER_MARGIN=defaults.FAQ_ANSWER_MARGIN,
                FAQ_CLARIFY_THRESHOLD=defaults.FAQ_CLARIFY_THRESHOLD,
            )
        return settings

    @property
    def log_level(self) -> int:
        """``FAQ_LOG_LEVEL`` as a :mod:`logging` level number."""
        level: int = logging.getLevelName(self.FAQ_LOG_LEVEL)
        return level


def _boolean(raw: str) -> bool:
    """``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case); anything else is an error."""
    value = raw.lower()
    if value in ("true", "yes", "on", "1"):
        return True
    if value in ("false", "no", "off", "0"):
        return False
    raise ValueError(raw)

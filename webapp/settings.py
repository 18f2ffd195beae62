"""The landlord's settings: read from one instance file and the environment.

This module does not import Flask. ``load_settings`` returns a frozen
``Settings`` that the application factory stores on the app; a mistake in the
file stops the start with a message that names the key and says what is wrong.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit

from webapp.rules import due, helplines, services
from webapp.rules.contact import DAYS

CONFIG_FILE_NAME = "quietdoor.toml"
SECRET_KEY_FILE_NAME = "secret_key"  # noqa: S105  (a file name, not a key)
MIN_SECRET_BYTES = 32

# The bank-holiday calendars of the UK nations, as the `holidays` package names them.
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}

# Neutral sites must open in the browser, never hand over to an app: an app
# that opens leaves our page showing in the browser behind it. These hosts are
# claimed by phone apps (universal links / Android app links).
APP_OPENING_HOSTS = (
    "youtube.com",
    "youtu.be",
    "facebook.com",
    "instagram.com",
    "twitter.com",
    "x.com",
    "tiktok.com",
    "reddit.com",
    "amazon.co.uk",
    "amazon.com",
    "netflix.com",
    "spotify.com",
    "bbc.co.uk",
    "bbc.com",
    "maps.google.com",
    "pinterest.com",
    "linkedin.com",
    "ebay.co.uk",
    "whatsapp.com",
    "snapchat.com",
    "wikipedia.org",
)


# The demo landlord's areas (made up, like the landlord): production's
# ``content check`` refuses them (webapp/content/cli.py).
DEMO_AREAS = ("Northgate", "Eastfield", "Millbrook")


class SettingsError(ValueError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    organisation_name: str = "Northgate Homes (demo)"
    team_name: str = "Community Safety team"
    team_phone: str = "0808 157 0192"
    brand_colour: str = "#1d4f73"
    # The landlord's own helpline, overriding the nations' (rules/helplines.py):
    # a name per language (``en`` always) and/or a number; None shows the nations'.
    helpline_name: dict[str, str] | None = None
    helpline_phone: str | None = None
    office_hours: dict[str, tuple[time, time] | None] = field(
        default_factory=lambda: (
            dict.fromkeys(DAYS[:5], (time(9), time(17))) | dict.fromkeys(DAYS[5:])
        )
    )
    bank_holiday_nation: str = "england"
    # Where the landlord's homes are: one nation, or two (the Welsh border).
    # Left out, it is bank_holiday_nation; bank_holiday_nation left out is its first.
    nations: tuple[str, ...] = ("england",)
    exit_url: str = "https://www.google.co.uk/"
    # English, Welsh, then the 2021 census's most spoken main languages after English.
    languages: tuple[str, ...] = (
        "en",
        "cy",
        "pl",
        "ro",
        "pa",
        "ur",
        "pt",
        "es",
        "ar",
        "bn",
        "gu",
        "it",
    )
    neutral_titles: bool = False
    neutral_title: str = "Home"
    retention_days: int = 365
    promise: str = due.HOURS  # or due.SAME_WORKING_DAY
    promise_hours: int = 24
    attempts_before_alternative: int = 3  # failed tries before the trusted contact is offered
    warn_hours_before_due: int = 2  # when the team hears that a referral is about to breach
    staff_idle_minutes: int = 15  # a staff session ends after this long without a request
    staff_session_hours: int = 10  # and this long after signing in, whatever happens
    report_minimum: int = 5  # reports show smaller counts only as "fewer than"
    # A second comms or admin user approves every change before it is public
    # (the staff site's content editor); false for a one-person team.
    two_person_publishing: bool = True
    # The places the landlord's homes are in, as residents name them: "Help
    # near you" lists local services under each (content/services/).
    areas: tuple[str, ...] = DEMO_AREAS

    @property
    def holidays_subdivision(self) -> str:
        return NATIONS[self.bank_holiday_nation]

    @property
    def helplines(self) -> tuple[helplines.Helpline, ...]:
        """The helplines every page shows beside 999, in the order of ``nations``."""
        return helplines.for_site(self.nations, self.helpline_name, self.helpline_phone)

    @property
    def response_promise(self) -> due.Promise:
        """The promise made to everyone who asks, as the due-time rules take it."""
        return due.Promise(
            self.promise, self.promise_hours, self.office_hours, self.holidays_subdivision
        )

    @property
    def brand_text_colour(self) -> str:
        """Black or white, whichever reads better on the brand colour."""
        white = contrast(self.brand_colour, "#ffffff")
        return "#ffffff" if white >= contrast(self.brand_colour, "#0b0c0c") else "#0b0c0c"


def load_settings(
    instance_path: str | os.PathLike,
    environ: dict[str, str] | None = None,
    overrides: dict | None = None,
) -> Settings:
    """Read the instance file (or ``QD_CONFIG_FILE``), then ``QD_*`` variables."""
    environ = os.environ if environ is None else environ
    path = Path(environ.get("QD_CONFIG_FILE") or Path(instance_path, CONFIG_FILE_NAME))
    raw: dict = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from exc
    elif "QD_CONFIG_FILE" in environ:
        raise SettingsError(f"QD_CONFIG_FILE names {path}, which does not exist")

    known = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    for name in known:
        value = environ.get("QD_" + name.upper())
        if value is not None:
            raw[name] = value
    raw.update(overrides or {})
    return _validate(raw)


def _validate(raw: dict) -> Settings:
    values = dict(raw)
    for name in (
        "organisation_name",
        "team_name",
        "team_phone",
        "helpline_phone",
        "neutral_title",
    ):
        if name in values and not str(values[name]).strip():
            raise SettingsError(f"{name} must not be empty: fill it in (docs/configuration.md)")
    _validate_nations(values)
    _validate_helpline(values)

    if "brand_colour" in values:
        colour = values["brand_colour"]
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
            raise SettingsError("brand_colour must be a colour like #1d4f73")
        if max(contrast(colour, "#ffffff"), contrast(colour, "#0b0c0c")) < 4.5:
            raise SettingsError(
                f"brand_colour {colour} is too mid-toned for readable text on it; "
                "choose a darker or a lighter colour"
            )

    if "exit_url" in values:
        values["exit_url"] = check_exit_url(values["exit_url"])

    if "languages" in values:
        langs = values["languages"]
        if isinstance(langs, str):
            langs = [code.strip() for code in langs.split(",") if code.strip()]
        if not langs or langs[0] != "en":
            raise SettingsError('languages must be a list that starts with "en"')
        values["languages"] = tuple(dict.fromkeys(langs))

    if "areas" in values:
        areas = values["areas"]
        if isinstance(areas, str):  # QD_AREAS="Northgate,Eastfield"
            areas = [name.strip() for name in areas.split(",") if name.strip()]
        if not isinstance(areas, list | tuple):
            raise SettingsError('areas must be a list of names, like ["Northgate", "Eastfield"]')
        areas = tuple(name.strip() if isinstance(name, str) else name for name in areas)
        problem = services.areas_problem(areas)
        if problem:
            raise SettingsError(f"areas: {problem}")
        values["areas"] = areas

    for name in ("neutral_titles", "two_person_publishing"):
        if isinstance(values.get(name), str):
            values[name] = values[name].lower() in ("1", "true", "yes", "on")

    if "promise" in values and values["promise"] not in due.PROMISE_RULES:
        raise SettingsError('promise must be "24h" or "same-working-day"')
    if "promise_hours" in values:
        try:
            values["promise_hours"] = int(values["promise_hours"])
        except (TypeError, ValueError):
            raise SettingsError("promise_hours must be a whole number of hours") from None
        if not 1 <= values["promise_hours"] <= 72:
            raise SettingsError("promise_hours must be between 1 and 72")

    for name, low, high, unit in (
        ("retention_days", 1, 36500, "days"),
        ("attempts_before_alternative", 1, 20, "attempts"),
        ("warn_hours_before_due", 0, 24, "hours"),
        ("staff_idle_minutes", 1, 120, "minutes"),
        ("staff_session_hours", 1, 24, "hours"),
        ("report_minimum", 2, 50, "referrals"),
    ):
        if name in values:
            values[name] = whole_number(name, values[name], low, high, unit)

    if "office_hours" in values:
        values["office_hours"] = parse_office_hours(values["office_hours"])
    return Settings(**values)


def _validate_nations(values: dict) -> None:
    """``nations`` and ``bank_holiday_nation``: either may be given alone (an
    older file has only ``bank_holiday_nation``: its homes are in that nation)."""
    if "bank_holiday_nation" in values and values["bank_holiday_nation"] not in NATIONS:
        raise SettingsError(f"bank_holiday_nation must be one of {', '.join(NATIONS)}")
    if "nations" not in values:
        if "bank_holiday_nation" in values:
            values["nations"] = (values["bank_holiday_nation"],)
        return
    given = values["nations"]
    if isinstance(given, str):
        given = [nation.strip() for nation in given.split(",") if nation.strip()]
    if not isinstance(given, list | tuple) or not all(isinstance(n, str) for n in given):
        raise SettingsError('nations must be a list, like nations = ["wales", "england"]')
    nations = tuple(dict.fromkeys(given))
    unknown = [nation for nation in nations if nation not in helplines.NATIONS]
    if unknown:
        raise SettingsError(
            f"nations: unknown nation(s) {', '.join(unknown)}; use {', '.join(helplines.NATIONS)}"
        )
    if not 1 <= len(nations) <= helplines.MAX_NATIONS:
        raise SettingsError(
            "nations must name the one nation the homes are in, or two where they lie "
            'on a border, like nations = ["wales", "england"]: every page shows the '
            "helpline of each, beside 999"
        )
    values["nations"] = nations
    holidays = values.setdefault("bank_holiday_nation", nations[0])
    if holidays not in nations:
        raise SettingsError(
            f"bank_holiday_nation is {holidays} but nations are {', '.join(nations)}: "
            "name the nation whose bank holidays the team keeps among nations, or leave "
            "bank_holiday_nation out to use the first of nations"
        )


# What helpline_name and helpline_phone were before nations had helplines of
# their own; a file that still names them (the example did) gets its nation's.
OLD_HELPLINE_DEFAULT = ("National Domestic Abuse Helpline", "08082000247")


def _validate_helpline(values: dict) -> None:
    """``helpline_name``: one name, or a table of names by language (``en``
    always); ``helpline_phone``: a number. Either overrides the nations' helplines."""
    name, phone = values.get("helpline_name"), values.get("helpline_phone")
    if (name is None or name == OLD_HELPLINE_DEFAULT[0]) and (
        phone is None or _digits(str(phone)) == OLD_HELPLINE_DEFAULT[1]
    ):
        values.pop("helpline_name", None)
        values.pop("helpline_phone", None)
        return
    if phone is not None:
        values["helpline_phone"] = str(phone).strip()
        # Every page offers it beside 999 as a number to tap: it must be one.
        problem = services.phone_problem(values["helpline_phone"])
        if problem:
            raise SettingsError(f"helpline_phone: {problem}")
    if name is None:
        return
    names = {"en": name} if isinstance(name, str) else name
    if not isinstance(names, dict):
        raise SettingsError(
            "helpline_name must be a name, or a table of names by language, like "
            '[helpline_name] en = "..." cy = "..."'
        )
    if "en" not in names:
        raise SettingsError(
            "helpline_name needs an English name (en): it is shown in every language "
            "without a name of its own"
        )
    unknown = sorted(set(names) - set(Settings.languages))
    if unknown:
        raise SettingsError(f"helpline_name: unknown language code(s) {', '.join(unknown)}")
    for language, text in names.items():
        if not isinstance(text, str) or not text.strip():
            raise SettingsError(f"helpline_name.{language} must not be empty")
    values["helpline_name"] = {language: text.strip() for language, text in names.items()}


def whole_number(name: str, value, low: int, high: int, unit: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a whole number of {unit}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return number


def check_exit_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingsError("exit_url must be a full web address, like https://www.google.co.uk/")
    host = parts.hostname.lower()
    for claimed in APP_OPENING_HOSTS:
        if host == claimed or host.endswith("." + claimed):
            raise SettingsError(
                f"exit_url: {host} opens an app on many phones, which leaves this site "
                "showing behind it; choose a site that opens in the browser"
            )
    return url


def parse_office_hours(table: dict) -> dict[str, tuple[time, time] | None]:
    """``{"monday": "09:00-17:00", "saturday": "closed"}``; days left out are closed."""
    if not isinstance(table, dict):
        raise SettingsError('office_hours must be a table of days, like monday = "09:00-17:00"')
    unknown = sorted(set(table) - set(DAYS))
    if unknown:
        raise SettingsError(f"office_hours: unknown day(s) {', '.join(unknown)}")
    hours: dict[str, tuple[time, time] | None] = {}
    for day in DAYS:
        text = str(table.get(day, "closed")).strip().lower()
        if text == "closed":
            hours[day] = None
            continue
        match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", text)
        if not match:
            raise SettingsError(f'office_hours.{day} must look like "09:00-17:00" or "closed"')
        h1, m1, h2, m2 = map(int, match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError:
            raise SettingsError(f"office_hours.{day} has a time that does not exist") from None
        if start >= end:
            raise SettingsError(f"office_hours.{day} must end after it starts")
        hours[day] = (start, end)
    return hours


def made_once(path: Path, generate: bool, missing: str) -> str:
    """A secret kept in the instance folder: read, or (in the demo, when
    ``generate``) made once, readable by its owner only, in a folder only its
    owner can enter, even with several workers starting at once. ``missing``
    is the message when it is not there and may not be made."""
    if not path.exists():
        if not generate:
            raise SettingsError(missing)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def secret_key(instance_path: str | os.PathLike, environ: dict[str, str], generate: bool) -> str:
    """``SECRET_KEY`` from the environment, else the instance file.

    In the demo the file is made once, readable by its owner only. In
    production it is never made here: every machine behind a load balancer
    must share one key, so it has to be given.
    """
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    path = Path(instance_path, SECRET_KEY_FILE_NAME)
    key = made_once(
        path,
        generate,
        f"No SECRET_KEY: set the SECRET_KEY environment variable or write one to {path}",
    )
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"{path} holds a secret key shorter than {MIN_SECRET_BYTES} bytes")
    return key


# ---------------------------------------------------------------------------
# Production: what must hold before a production instance starts
# (docs/deploy.md, "What production refuses").

PRODUCTION_ROLES = ("public", "staff")
DEMO_ORGANISATION = Settings.organisation_name
DEMO_TEAM_PHONE = Settings.team_phone
SECRET_FINGERPRINT_VARIABLE = "QD_PUBLIC_SECRET_FINGERPRINT"  # noqa: S105  (a name)
SECRET_FINGERPRINT_LENGTH = 16  # hex characters


def hkdf_sha256(secret: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF with SHA-256 (RFC 5869): extract, then expand for one purpose."""
    prk = hmac.new(salt or bytes(32), secret, hashlib.sha256).digest()
    output, block, counter = b"", b"", 1
    while len(output) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        output, counter = output + block, counter + 1
    return output[:length]


def derive_key(secret: str, label: str, length: int = 32) -> bytes:
    """A key for one use only, derived from ``SECRET_KEY`` and a label: the
    key that signs sessions then signs nothing else, and one derived key
    tells nothing of the secret or of another derived key."""
    return hkdf_sha256(secret.encode(), b"quietdoor", f"quietdoor {label}".encode(), length)


def secret_fingerprint(secret: str) -> str:
    """A short name for a ``SECRET_KEY``, safe to write in a ticket or in the
    staff instance's environment: it cannot be turned back into the key."""
    return derive_key(secret, "secret-key fingerprint", SECRET_FINGERPRINT_LENGTH // 2).hex()


def _digits(phone: str) -> str:
    """A UK number as its national digits: 0808 157 0192 = +44 808 157 0192."""
    digits = re.sub(r"\D", "", phone.replace("(0)", ""))
    return "0" + digits[2:] if digits.startswith("44") else digits


def production_role_problems(role_given: str | None) -> list[str]:
    """A production instance says which role it is, and is never the demo's ``all``."""
    if not role_given:
        return [
            "QD_ROLE is not set: say what this instance is, QD_ROLE=public (the resident "
            "site) or QD_ROLE=staff (the callback queue, with the private key). Without it "
            "the staff sign-in would be served beside the resident site."
        ]
    if role_given not in PRODUCTION_ROLES:
        return [
            f"QD_ROLE={role_given} is for the demo only: it serves the staff sign-in beside "
            "the resident site. Run a public and a staff instance (docs/deploy.md)."
        ]
    return []


def production_problems(
    role: str, secret: str | None, site: Settings, environ: dict[str, str]
) -> tuple[list[str], list[str]]:
    """What stops a production instance: ``(always, before serving)``.

    The first list stops every production start, commands too. The second
    is about what an instance serves (the landlord residents are told they
    are talking to, the number they are told to call, the staff side's own
    session key): it stops a server, not a command such as ``keys generate``
    that a new machine runs before its settings file is written."""
    always: list[str] = []
    serving: list[str] = []
    if secret is not None and len(secret.encode()) < MIN_SECRET_BYTES:
        always.append(
            f"SECRET_KEY is {len(secret.encode())} bytes long: production needs at least "
            f"{MIN_SECRET_BYTES} (make one with: python3 -c "
            '"import secrets; print(secrets.token_urlsafe(48))")'
        )
    public_fingerprint = environ.get(SECRET_FINGERPRINT_VARIABLE, "").strip().lower()
    if role == "staff" and secret is not None:
        if not public_fingerprint:
            serving.append(
                f"{SECRET_FINGERPRINT_VARIABLE} is not set: give the staff instance the "
                "fingerprint of the public instances' SECRET_KEY (flask --app webapp keys "
                "status prints it on a public instance), so that it can refuse to share it"
            )
        elif not re.fullmatch(rf"[0-9a-f]{{{SECRET_FINGERPRINT_LENGTH}}}", public_fingerprint):
            always.append(
                f"{SECRET_FINGERPRINT_VARIABLE} must be the {SECRET_FINGERPRINT_LENGTH} hex "
                "characters that flask --app webapp keys status prints on a public instance"
            )
        elif hmac.compare_digest(public_fingerprint, secret_fingerprint(secret)):
            always.append(
                "SECRET_KEY is the public instances' key (its fingerprint is "
                f"{SECRET_FINGERPRINT_VARIABLE}): give the staff instances a key of their own, "
                "or whoever takes over an internet-facing server could sign staff sessions"
            )
    # The demo's landlord, with or without "(demo)" (the example file named it
    # so until it was left empty), or anything marked as a demo.
    name = " ".join(site.organisation_name.casefold().split())
    if "(demo)" in name or name == DEMO_ORGANISATION.casefold().removesuffix(" (demo)"):
        serving.append(
            f"organisation_name is the demo's ({site.organisation_name}): set the landlord's "
            "name in the settings file (docs/configuration.md)"
        )
    if _digits(site.team_phone) == _digits(DEMO_TEAM_PHONE):
        serving.append(
            f"team_phone is the demo's number ({DEMO_TEAM_PHONE}, which reaches nobody): set "
            "the number residents call for the team in the settings file"
        )
    return always, serving


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


STAFF_SECRET_FILE_NAME = "staff_secret"  # noqa: S105  (a file name, not a key)


def staff_secret(
    instance_path: str | os.PathLike, environ: dict[str, str], generate: bool
) -> bytes:
    """The staff side's own secret (``QD_STAFF_SECRET``, else the instance file
    ``staff_secret``): the keys that seal one-time-code seeds, hash recovery
    codes and key the audit chain are derived from it. The database never
    holds it, and a public instance never needs it. Made once in the demo;
    in production it must be given, the same on every staff instance.
    """
    text = environ.get("QD_STAFF_SECRET")
    path = Path(instance_path, STAFF_SECRET_FILE_NAME)
    if not text:
        text = made_once(
            path,
            generate,
            f"No staff secret: set QD_STAFF_SECRET or write one "
            f"to {path} (python3 -c 'import secrets; print(secrets.token_hex(32))'); "
            "see docs/deploy.md",
        )
    text = text.strip()
    if len(text) < 32:
        raise SettingsError(
            "The staff secret must be at least 32 characters (64 hex digits "
            "from secrets.token_hex(32) is best)"
        )
    return text.encode()

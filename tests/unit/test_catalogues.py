"""Every catalogue complete, none fuzzy, placeholders kept, and messages.pot
up to date with the source (so that no new string escapes translation)."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read(path):
    with path.open("rb") as handle:
        return read_po(handle)


def test_there_are_catalogues():
    assert {p.parent.parent.name for p in CATALOGUES} >= {"cy", "ar"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_catalogue_is_complete(path):
    catalogue = _read(path)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_pot_is_up_to_date():
    """Run `make translations` when this fails."""
    method_map = [("webapp/**.py", "python"), ("webapp/**/templates/**.html", "jinja2")]
    options = {"webapp/**/templates/**.html": {"trimmed": "true"}}
    in_source = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords={"_": None, "_l": None, "lazy_gettext": None,
                                                  "gettext": None, "ngettext": (1, 2),
                                                  "N_": None}
    ):
        in_source.add(message if isinstance(message, str) else message[0])
    pot = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(TRANSLATIONS / "messages.pot")
           if m.id}
    assert in_source - pot == set(), "strings missing from messages.pot: run `make translations`"
    for path in CATALOGUES:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _read(path) if m.id}
        assert pot - ids == set(), f"{path} lacks strings: run `make translations`"

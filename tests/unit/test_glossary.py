"""The glossary in docs/translations.md is the one the catalogues use.

For each language and term, every translation of an English string that
contains the term must contain the glossary's word for it. The glossary
writes a stem with `*` (any ending, or at the start any beginning) where a
language inflects or mutates the word, and separates right alternatives with
" / ". The few justified exceptions are listed below, each with its reason.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "translations.md"

# English: which msgids carry the term. "abuse" on its own: "domestic abuse"
# has its own column, and some languages use another word for it.
TERMS = {
    "abuse": re.compile(r"(?<!domestic )\babuse\b", re.I),
    "domestic abuse": re.compile(r"\bdomestic abuse\b", re.I),
    "quick exit": re.compile(r"Leave this site now"),
    "referral": re.compile(r"\breferrals?\b", re.I),
    "officer": re.compile(r"\bofficers?\b", re.I),
    "passphrase": re.compile(r"\bpassphrases?\b", re.I),
    "safe time": re.compile(r"\bsafe times?\b", re.I),
}

DOMESTIC_AND_SEXUAL = "Support and information about domestic and sexual abuse, now or in the past."
SAFE_TIME_BANDS = "Choose at least one safe time of day, or “Any time is safe”"
# (language, term, msgid) -> why the glossary word is not there.
ALLOWED = {
    ("pt", "safe time", SAFE_TIME_BANDS): "the choices are parts of the day: «parte do dia»",
    ("es", "safe time", SAFE_TIME_BANDS): "the choices are time bands: «franja horaria»",
    ("it", "safe time", SAFE_TIME_BANDS): "the choices are time bands: «fascia oraria»",
    ("ar", "safe time", SAFE_TIME_BANDS): "the choices are periods of the day: «فترة»",
    ("es", "abuse", DOMESTIC_AND_SEXUAL): "one phrase: «violencia doméstica y sexual»",
    ("ar", "abuse", DOMESTIC_AND_SEXUAL): "one phrase: «العنف الأسري والجنسي»",
}


def glossary():
    """{lang: {term: [compiled alternatives]}} from the table under '## Glossary'."""
    text = GLOSSARY.read_text(encoding="utf-8").split("\n## Glossary", 1)[1]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    table = {}
    for row in rows[2:]:
        cells = dict(zip(header, (cell.strip() for cell in row.strip("|").split("|")), strict=True))
        table[cells["code"]] = {
            term: [_pattern(alternative) for alternative in cells[term].split(" / ")]
            for term in TERMS
        }
    return table


def _pattern(words):
    regex = r"\s+".join(re.escape(word).replace(r"\*", r"\S*") for word in words.split())
    return re.compile(regex, re.I)


def _read(lang):
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


TABLE = glossary()


def test_the_glossary_covers_every_catalogue():
    paths = (ROOT / "translations").glob("*/LC_MESSAGES/messages.po")
    catalogues = {p.parent.parent.name for p in paths}
    assert set(TABLE) == catalogues


def test_the_allow_list_is_small_and_still_needed():
    assert len(ALLOWED) <= 8
    for lang, term, msgid in ALLOWED:
        gone = f"{lang}: {msgid!r} is gone: drop it from ALLOWED"
        assert _read(lang).get(msgid) is not None, gone
        assert TERMS[term].search(msgid)


@pytest.mark.parametrize("lang", sorted(TABLE))
def test_catalogue_uses_the_glossary_words(lang):
    problems = []
    for message in _read(lang):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for term, english in TERMS.items():
            if not english.search(msgid) or (lang, term, msgid) in ALLOWED:
                continue
            words = TABLE[lang][term]
            for string in strings:
                if string == msgid:  # a name kept in English (a helpline's), not a translation
                    continue
                if not any(word.search(string) for word in words):
                    problems.append(f"{term}: {msgid[:60]!r} -> {string[:80]!r}")
    assert not problems, "\n".join(problems)

"""The helpline follows the nation: the rule, the nation settings, and the
content's nation-only parts. Plain values, no app."""

import re

import pytest

from webapp.content.library import ContentError, nation_parts, parse
from webapp.content.render import dial, fill
from webapp.rules import helplines
from webapp.rules.helplines import HELPLINES, NATIONS, for_site
from webapp.settings import Settings, SettingsError, load_settings


def digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


# -- the rule -------------------------------------------------------------------


def test_each_nation_has_its_helpline():
    assert set(HELPLINES) == set(NATIONS)
    assert {n: digits(h.phone) for n, h in HELPLINES.items()} == {
        "england": "08082000247",
        "wales": "08088010800",
        "scotland": "08000271234",
        "northern-ireland": "08088021414",
    }
    assert for_site(("wales",))[0].name.startswith("Live Fear Free")
    assert "Byw Heb Ofn" in for_site(("wales",))[0].name_in("cy")
    assert for_site(("wales",))[0].name_in("pl") == for_site(("wales",))[0].name


def test_every_helpline_is_free_and_open_day_and_night():
    """The pages say "free, day and night" of whichever helpline they show."""
    for line in HELPLINES.values():
        assert line.free and line.day_and_night, line.nation


def test_two_nations_show_both_in_their_order_labelled():
    shown = for_site(("wales", "england"))
    assert [line.nation for line in shown] == ["wales", "england"]
    assert helplines.labelled(shown)
    assert not helplines.labelled(for_site(("england",)))


def test_an_override_is_one_helpline_of_the_landlords_own():
    (line,) = for_site(("wales", "england"), {"en": "Valley Helpline", "cy": "Llinell y Cwm"},
                       "0800 123 4567")
    assert (line.nation, line.phone) == (None, "0800 123 4567")
    assert (line.name_in("en"), line.name_in("cy"), line.name_in("ar")) == (
        "Valley Helpline", "Llinell y Cwm", "Valley Helpline")


def test_half_an_override_takes_the_other_half_from_the_nation():
    (number_only,) = for_site(("wales",), None, "0800 123 4567")
    assert number_only.phone == "0800 123 4567"
    assert "Byw Heb Ofn" in number_only.name_in("cy")
    (name_only,) = for_site(("scotland",), {"en": "Our helpline"})
    assert (name_only.name, name_only.phone) == ("Our helpline", "0800 027 1234")


def test_the_rule_refuses_what_it_cannot_show():
    with pytest.raises(ValueError):
        for_site(())
    with pytest.raises(ValueError):
        for_site(("cornwall",))
    with pytest.raises(ValueError, match="English"):
        for_site(("england",), {"cy": "Llinell"})


# -- the settings ---------------------------------------------------------------


def settings_from(tmp_path, text: str, environ=None) -> Settings:
    (tmp_path / "quietdoor.toml").write_text(text)
    return load_settings(tmp_path, environ=environ or {})


def test_the_default_is_england(tmp_path):
    site = load_settings(tmp_path, environ={})
    assert site.nations == ("england",) and site.bank_holiday_nation == "england"
    assert [line.nation for line in site.helplines] == ["england"]


def test_an_older_file_names_its_nation_by_its_bank_holidays(tmp_path):
    site = settings_from(tmp_path, 'bank_holiday_nation = "scotland"\n')
    assert site.nations == ("scotland",)
    assert site.helplines[0].phone == "0800 027 1234"


def test_nations_alone_set_the_bank_holidays_too(tmp_path):
    site = settings_from(tmp_path, 'nations = ["wales", "england"]\n')
    assert site.nations == ("wales", "england")
    assert site.bank_holiday_nation == "wales" and site.holidays_subdivision == "WLS"
    assert [line.nation for line in site.helplines] == ["wales", "england"]


def test_nations_from_the_environment(tmp_path):
    site = load_settings(tmp_path, environ={"QD_NATIONS": "northern-ireland"})
    assert site.nations == ("northern-ireland",)
    assert site.bank_holiday_nation == "northern-ireland"


def test_the_old_example_helpline_lines_no_longer_hide_the_nations(tmp_path):
    """docs/quietdoor.example.toml used to write England's helpline out: a
    Welsh landlord who copied it now shows Live Fear Free."""
    site = settings_from(tmp_path, 'helpline_name = "National Domestic Abuse Helpline"\n'
                                   'helpline_phone = "0808 2000 247"\n'
                                   'bank_holiday_nation = "wales"\n')
    assert site.helpline_name is None and site.helpline_phone is None
    assert site.helplines[0].nation == "wales"


def test_an_override_still_works(tmp_path):
    site = settings_from(tmp_path, 'helpline_name = "Valley Helpline"\n'
                                   'helpline_phone = "0800 123 4567"\n')
    assert site.helpline_name == {"en": "Valley Helpline"}
    assert [(h.name, h.phone) for h in site.helplines] == [("Valley Helpline", "0800 123 4567")]


def test_an_override_named_per_language(tmp_path):
    site = settings_from(tmp_path, 'helpline_phone = "0800 123 4567"\n[helpline_name]\n'
                                   'en = "Valley Helpline"\ncy = "Llinell y Cwm"\n')
    assert site.helplines[0].name_in("cy") == "Llinell y Cwm"


@pytest.mark.parametrize(("text", "message"), [
    ('nations = ["cornwall"]', "unknown nation"),
    ("nations = []", "one nation"),
    ('nations = ["wales", "england", "scotland"]', "two"),
    ('nations = "wales, england, scotland"', "two"),
    ("nations = 3", "must be a list"),
    ('nations = ["scotland"]\nbank_holiday_nation = "england"', "bank_holiday_nation is england"),
    ('helpline_phone = " "', "helpline_phone must not be empty"),
    ('[helpline_name]\ncy = "Llinell y Cwm"', "English name"),
    ('[helpline_name]\nen = "X"\nxx = "Y"', "unknown language"),
    ('[helpline_name]\nen = " "', "helpline_name.en must not be empty"),
    ("helpline_name = 5", "helpline_name must be"),
    # A number no phone can dial leaves the box beside 999 without a helpline
    # (its tap-to-call link goes nowhere); a premium-rate one costs her.
    ('helpline_phone = "ask at reception"', "helpline_phone: .*digits"),
    ('helpline_phone = "0906 123 4567"', "helpline_phone: .*premium-rate"),
    ("helpline_phone = 8002000247", "helpline_phone: .*start with 0"),  # TOML drops the 0
])
def test_nation_and_helpline_mistakes_are_named(tmp_path, text, message):
    with pytest.raises(SettingsError, match=message):
        settings_from(tmp_path, text + "\n")


def test_a_border_landlord_keeps_its_own_bank_holidays(tmp_path):
    site = settings_from(tmp_path, 'nations = ["england", "wales"]\n'
                                   'bank_holiday_nation = "wales"\n')
    assert (site.nations, site.bank_holiday_nation) == (("england", "wales"), "wales")


# -- the content ----------------------------------------------------------------


def test_two_helplines_fill_a_placeholder_each_with_its_nation():
    values = {"helpline_name": (("Live Fear Free Helpline", "Wales"),
                                ("National Domestic Abuse Helpline", "England")),
              "helpline_phone": (("0808 80 10 800", "Wales"), ("0808 2000 247", "England"))}
    html = fill("<p>Call the {helpline_name} on {helpline_phone}.</p>", values)
    assert ("<bdi>Live Fear Free Helpline</bdi> (Wales) / "
            "<bdi>National Domestic Abuse Helpline</bdi> (England)") in html
    assert 'href="tel:08088010800" dir="ltr">0808 80 10 800</a> (Wales) / ' in html
    assert fill("{helpline_name}", values, escape=False) == (
        "Live Fear Free Helpline (Wales) / National Domestic Abuse Helpline (England)")


def test_a_sentence_placeholder_is_not_isolated_as_a_name():
    assert fill("<p>{promise}</p>", {"promise": "We will call."}) == "<p>We will call.</p>"


def test_a_number_written_as_code_is_never_dialled():
    """ "Text register to 999": a tap on 999 would start a call, not a text."""
    html = dial('<p>Call 999, or text "register" to <code>999</code>.</p>')
    assert html.count("tel:999") == 1 and "<code>999</code>" in html


def test_nation_parts():
    body = ("For all.\n\n{nation: wales, england}\n\nE and W.\n{nation: scotland}\nS.\n"
            "{nation: all}\nEnd.")
    parts = nation_parts(body, 7)
    assert [(only and sorted(only), first) for only, _text, first in parts] == [
        (None, 7), (["england", "wales"], 10), (["scotland"], 13), (None, 15)]


@pytest.mark.parametrize("line", ["{nation: cornwall}", "{nation}", "{nation: all, wales}",
                                  "{nation wales}", "{ nation: }",
                                  # Not a line of its own, or in capitals: it would be
                                  # shown as it is, and its text to every nation.
                                  "{nation: wales} Call Live Fear Free.",
                                  "- {nation: wales}", "{Nation: wales}"])
def test_a_wrong_nation_line_is_named(tmp_path, line):
    path = tmp_path / "page.en.md"
    path.write_text(f"---\ntitle: T\nsummary: S.\n---\nIntro.\n\n{line}\n\nText.\n")
    with pytest.raises(ContentError) as error:
        parse(path, "pages")
    assert error.value.line == 7


def test_a_document_shows_the_parts_for_its_nations(tmp_path):
    path = tmp_path / "page.en.md"
    path.write_text("---\ntitle: T\nsummary: S.\n---\nAll.\n\n{nation: scotland}\n\nScots.\n\n"
                    "{nation: england, wales}\n\nEW.\n\n{nation: all}\n\nEnd.\n")
    doc = parse(path, "pages")
    assert doc.html_for(("scotland",)) == "<p>All.</p>\n<p>Scots.</p>\n<p>End.</p>\n"
    assert "Scots" not in doc.html_for(("wales",)) and "EW" in doc.html_for(("wales",))
    assert "Scots" in doc.html_for(("england", "scotland"))
    plain = tmp_path / "plain.en.md"
    plain.write_text("---\ntitle: T\nsummary: S.\n---\nAll.\n")
    assert parse(plain, "pages").html_for(("scotland",)) == "<p>All.</p>\n"

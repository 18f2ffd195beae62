"""Help near you: the national services that ship with the product, and the
rules a local service file follows (phone, areas, fields)."""

from pathlib import Path

import pytest

from webapp.content.library import ContentError, parse
from webapp.rules import services
from webapp.settings import SettingsError, load_settings

EVERY = (*services.HELPLINES.values(), *services.OTHERS)


def test_every_national_service_is_complete_and_dialable():
    slugs = [service.slug for service in EVERY]
    assert len(slugs) == len(set(slugs))
    for service in EVERY:
        assert service.name and service.offer and service.who and service.hours, service.slug
        assert service.nations and set(service.nations) <= set(services.UK), service.slug
        if service.phone is not None:
            assert services.phone_problem(service.phone) is None, service.slug


def test_the_numbers_are_the_ones_the_services_publish():
    phones = {service.slug: service.phone for service in EVERY}
    assert phones == {
        "national-domestic-abuse-helpline": "0808 2000 247",
        "live-fear-free": "0808 80 10 800",
        "scotland-domestic-abuse-helpline": "0800 027 1234",
        "domestic-and-sexual-abuse-helpline": "0808 802 1414",
        "mens-advice-line": "0808 8010 327",
        "galop": "0800 999 5428",
        "karma-nirvana": "0800 5999 247",
        "hourglass": "0808 808 8141",
        "rape-crisis": "0808 500 2222",
        "respect-phoneline": "0808 802 4040",
        "samaritans": "116 123",
        "childline": "0800 1111",
        "safe-spaces": None,
        "ask-for-ani": None,
        "bright-sky": None,
    }


def test_each_nation_has_its_own_helpline_first():
    for nation in services.UK:
        listed = services.national((nation,))
        assert listed[0] is services.HELPLINES[nation]
        assert listed[0].helpline_of == nation
        assert [s for s in listed if s.helpline_of] == [listed[0]]
        assert services.HELPLINES[nation] not in services.elsewhere((nation,))
        assert len(services.elsewhere((nation,))) == 3


def test_two_nations_show_both_helplines_and_what_covers_either():
    listed = services.national(("wales", "england"))
    assert [s.slug for s in listed[:2]] == ["live-fear-free", "national-domestic-abuse-helpline"]
    assert services.elsewhere(("wales", "england")) == [
        services.HELPLINES["scotland"], services.HELPLINES["northern-ireland"]]


def test_rape_crisis_england_and_wales_is_not_offered_in_scotland():
    assert "rape-crisis" not in [s.slug for s in services.national(("scotland",))]
    assert "rape-crisis" in [s.slug for s in services.national(("wales",))]


def test_england_says_who_the_national_helpline_is_for():
    who = services.HELPLINES["england"].who
    assert "Women" in who and "Men's Advice Line" in who


def test_bright_sky_warns_that_an_app_on_a_checked_phone_is_seen():
    bright_sky = next(s for s in services.OTHERS if s.slug == "bright-sky")
    assert "checks your phone" in bright_sky.warning and "apps" in bright_sky.warning


@pytest.mark.parametrize("phone", ["0300 123 4567", "01134960000", "+44 300 123 4567",
                                   "116 123", "0808 80 10 800", "020 7946 0018"])
def test_phone_numbers_people_can_dial(phone):
    assert services.phone_problem(phone) is None


@pytest.mark.parametrize(("phone", "problem"), [
    ("0300-123-4567", "digits and spaces"),
    ("call 0300 123 4567", "digits and spaces"),
    ("+1 212 555 0100", "not a UK number"),
    ("300 123 4567", "must start with 0"),
    ("0300 123", "digits"),
    ("0300 123 4567 89", "digits"),
    ("0909 879 0000", "premium-rate"),
    ("0870 123 4567", "premium-rate"),  # 087: costs more, as libphonenumber counts it
    ("0500 123 4567", "not a UK number in use"),  # the right length, but no such range
])
def test_phone_numbers_that_are_refused(phone, problem):
    assert problem in services.phone_problem(phone)


def test_area_anchors_are_plain_and_distinct():
    assert services.area_anchor("Ynys Môn") == "area-ynys-mon"
    assert services.area_anchor("St Helens & Knowsley") == "area-st-helens-knowsley"
    assert services.areas_problem(("Northgate", "Eastfield")) is None
    assert "too alike" in services.areas_problem(("North-gate", "North gate"))
    assert "Latin alphabet" in services.areas_problem(("كارديف",))
    assert "not an area name" in services.areas_problem(("",))


def test_areas_setting_from_the_file_and_the_environment(tmp_path):
    (tmp_path / "quietdoor.toml").write_text('areas = ["Cardiff", "Vale of Glamorgan"]\n')
    assert load_settings(tmp_path, {}).areas == ("Cardiff", "Vale of Glamorgan")
    assert load_settings(tmp_path, {"QD_AREAS": "Newport, Torfaen"}).areas == (
        "Newport", "Torfaen")
    assert load_settings(tmp_path / "none", {}).areas == ("Northgate", "Eastfield", "Millbrook")
    with pytest.raises(SettingsError, match="areas: 'a b' and 'A b'"):
        load_settings(tmp_path, {}, {"areas": ["A b", "a b"]})
    with pytest.raises(SettingsError, match="areas must be a list"):
        load_settings(tmp_path, {}, {"areas": 3})


SERVICE = """---
name: Riverside Outreach
offer: Someone to meet you somewhere safe.
who: Anyone in Riverside.
phone: 0113 496 0500
hours: Weekdays 09:00 to 17:00
self_referral: yes
areas: [Riverside]
languages: [en, so]
---
Ring and ask for the outreach team.
"""


def service_file(tmp_path: Path, text: str, name: str = "riverside-outreach.en.md") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_service_file_reads_as_a_document_with_its_facts(tmp_path):
    doc = parse(service_file(tmp_path, SERVICE), "services")
    assert (doc.kind, doc.slug, doc.lang) == ("services", "riverside-outreach", "en")
    assert doc.title == "Riverside Outreach" and doc.summary.startswith("Someone to meet")
    assert doc.service.phone == "0113 496 0500"
    assert doc.service.self_referral is True
    assert doc.service.areas == ("Riverside",)
    assert doc.service.languages == ("en", "so")
    assert doc.service.example is False
    assert 'href="tel:' not in doc.html  # no number in the text: nothing to dial


@pytest.mark.parametrize(("change", "line", "problem"), [
    (("phone: 0113 496 0500", "phone: 0113-496-0500"), 5, "digits and spaces"),
    (("phone: 0113 496 0500\n", ""), 2, "phone is missing"),
    (("self_referral: yes", "self_referral: sometimes"), 7, "yes or no"),
    (("areas: [Riverside]", "areas: Riverside"), 8, "must be a list"),
    (("areas: [Riverside]", "areas: []"), 8, "at least one area"),
    (("languages: [en, so]", "languages: [en, Somali]"), 9, "not a language code"),
    (("hours:", "colour: red\nhours:"), 6, "unknown field 'colour'"),
    (("name: Riverside Outreach", "title: Riverside Outreach"), 2, "unknown field 'title'"),
])
def test_a_broken_service_file_names_the_line(tmp_path, change, line, problem):
    with pytest.raises(ContentError) as caught:
        parse(service_file(tmp_path, SERVICE.replace(*change)), "services")
    assert caught.value.line == line
    assert problem in caught.value.reason


def test_pages_do_not_take_service_fields(tmp_path):
    with pytest.raises(ContentError, match="unknown field 'name'"):
        parse(service_file(tmp_path, SERVICE, "riverside.en.md"), "pages")


@pytest.mark.parametrize("text", [
    "Or call [our advice line](tel:09061234567).",
    'Or call <a href="tel:+449061234567">our advice line</a>.',
    "Or call [directory enquiries](tel:118500).",
    "Or call [our advice line](tel:+44(0)906-123-4567).",
    "Or call our advice line on 0906 123 4567.",
])
def test_a_premium_rate_number_in_a_services_text_is_refused(tmp_path, text):
    """The phone field refuses a premium-rate number; the text must too, or
    a service file (or any page) could put a tap that costs pounds a minute
    on the page, next to the free helplines."""
    with pytest.raises(ContentError) as caught:
        parse(service_file(tmp_path, SERVICE + "\n" + text + "\n"), "services")
    assert caught.value.line == 13
    # Raw HTML is named by its tag, like any other refused tag.
    assert "premium-rate" in caught.value.reason or "tel:+449061234567" in caught.value.reason


def test_a_premium_rate_number_is_read_as_a_phone_dials_it():
    from webapp.content.render import premium_rate

    for number in ("14109061234567", "1470 0906 123 4567", "+44/9061234567", "0/906/123/4567",
                   "\uff10\uff19\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
                   "141 118 500"):
        assert premium_rate(number), number
    # Glasgow's 0141 and +44 141, 116 123 and 141 alone are not.
    for number in ("0141 496 0000", "+44 141 496 0000", "116 123", "141", "0808 2000 247"):
        assert not premium_rate(number), number


def test_a_premium_rate_number_is_never_made_a_call_link():
    from webapp.content.render import dial

    assert "href" not in dial("<p>Call 0906 123 4567.</p>")
    assert 'href="tel:01134960500"' in dial("<p>Call 0113 496 0500.</p>")

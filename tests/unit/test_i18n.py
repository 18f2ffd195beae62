from datetime import time

from webapp.i18n import direction, language_from_path, native_name
from webapp.public.hours import group_days
from webapp.settings import DAYS

ENABLED = ("en", "cy", "ar")


def test_language_from_path():
    assert language_from_path("/", ENABLED) == "en"
    assert language_from_path("/cy/", ENABLED) == "cy"
    assert language_from_path("/ar/no-such-page", ENABLED) == "ar"
    assert language_from_path("/pl/", ENABLED) == "en"  # not enabled
    assert language_from_path("/en/", ENABLED) == "en"
    assert language_from_path("/cymraeg", ENABLED) == "en"


def test_names_and_direction():
    assert native_name("cy") == "Cymraeg"
    assert native_name("ar") == "العربية"
    assert direction("ar") == "rtl" and direction("ur") == "rtl"
    assert direction("cy") == "ltr" and direction("pa") == "ltr"


def test_office_days_are_grouped():
    hours = dict.fromkeys(DAYS[:5], (time(9), time(17))) | dict.fromkeys(DAYS[5:])
    assert group_days(hours) == [(0, 4, (time(9), time(17))), (5, 6, None)]
    hours["wednesday"] = (time(9), time(13))
    assert [(a, b) for a, b, _ in group_days(hours)] == [(0, 1), (2, 2), (3, 4), (5, 6)]

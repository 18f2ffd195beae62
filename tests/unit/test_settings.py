import os
import stat
from datetime import time

import pytest

from webapp.settings import (
    Settings,
    SettingsError,
    contrast,
    load_settings,
    parse_office_hours,
    secret_key,
)


def test_defaults_without_a_file(tmp_path):
    settings = load_settings(tmp_path, environ={})
    assert settings == Settings()
    assert settings.languages[0] == "en"


def test_file_then_environment(tmp_path):
    (tmp_path / "quietdoor.toml").write_text(
        'organisation_name = "Riverside Homes"\n'
        'brand_colour = "#005ea5"\n'
        'languages = ["en", "cy"]\n'
        'bank_holiday_nation = "wales"\n'
        "[office_hours]\n"
        'monday = "08:30-16:30"\n'
    )
    settings = load_settings(tmp_path, environ={"QD_TEAM_PHONE": "0808 157 0000"})
    assert settings.organisation_name == "Riverside Homes"
    assert settings.languages == ("en", "cy")
    assert settings.team_phone == "0808 157 0000"
    assert settings.holidays_subdivision == "WLS"
    assert settings.office_hours["monday"] == (time(8, 30), time(16, 30))
    assert settings.office_hours["tuesday"] is None


def test_config_file_named_by_environment(tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text('neutral_titles = true\n')
    assert load_settings(tmp_path / "none", environ={"QD_CONFIG_FILE": str(path)}).neutral_titles
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path, environ={"QD_CONFIG_FILE": str(tmp_path / "missing.toml")})


@pytest.mark.parametrize(("text", "message"), [
    ('colour = "#fff"', "unknown setting"),
    ('brand_colour = "blue"', "brand_colour"),
    ('brand_colour = "#777777"', "too mid-toned"),
    ('exit_url = "javascript:alert(1)"', "exit_url"),
    ('exit_url = "https://www.youtube.com/"', "opens an app"),
    ('exit_url = "https://m.facebook.com/"', "opens an app"),
    ('languages = ["cy", "en"]', "starts with"),
    ('bank_holiday_nation = "cornwall"', "bank_holiday_nation"),
    ('retention_days = 0', "retention_days"),
    ('organisation_name = " "', "must not be empty"),
    ('[office_hours]\nmonday = "17:00-09:00"', "end after"),
    ('[office_hours]\nfunday = "09:00-17:00"', "unknown day"),
    ('[office_hours]\nmonday = "nine till five"', "look like"),
    ('organisation_name = "unterminated', "quietdoor.toml"),
])
def test_mistakes_are_named(tmp_path, text, message):
    (tmp_path / "quietdoor.toml").write_text(text + "\n")
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path, environ={})


def test_languages_from_the_environment(tmp_path):
    settings = load_settings(tmp_path, environ={"QD_LANGUAGES": "en, ar"})
    assert settings.languages == ("en", "ar")


def test_office_hours_closed_days():
    hours = parse_office_hours({"monday": "9:00-17:00", "saturday": "closed"})
    assert hours["monday"] == (time(9), time(17))
    assert hours["saturday"] is None and hours["sunday"] is None


def test_secret_key_is_made_once_and_private(tmp_path):
    first = secret_key(tmp_path, {}, generate=True)
    assert len(first) == 64
    assert secret_key(tmp_path, {}, generate=True) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path):
    assert secret_key(tmp_path, {"SECRET_KEY": "x" * 40}, generate=True) == "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_production_never_makes_a_key(tmp_path):
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        secret_key(tmp_path, {}, generate=False)


def test_brand_text_colour_keeps_contrast():
    assert Settings(brand_colour="#1d4f73").brand_text_colour == "#ffffff"
    assert Settings(brand_colour="#ffdd00").brand_text_colour == "#0b0c0c"
    for colour in ("#000000", "#ffffff", "#00ff00", "#1d70b8", "#b00020", "#6f777b"):
        chosen = Settings(brand_colour=colour).brand_text_colour
        assert contrast(colour, chosen) >= 4.5


def test_report_minimum_is_between_2_and_50(tmp_path):
    assert load_settings(tmp_path, environ={}).report_minimum == 5
    assert load_settings(tmp_path, environ={"QD_REPORT_MINIMUM": "10"}).report_minimum == 10
    (tmp_path / "quietdoor.toml").write_text("report_minimum = 2\n")
    assert load_settings(tmp_path, environ={}).report_minimum == 2
    for wrong in ("1", "51", "five"):
        with pytest.raises(SettingsError, match="report_minimum"):
            load_settings(tmp_path, environ={"QD_REPORT_MINIMUM": wrong})

"""What production refuses, as plain rules (webapp/settings.py): the role,
the secret key, the demo's landlord and number, and keys derived for one use."""

import pytest

from webapp.settings import (
    Settings,
    derive_key,
    hkdf_sha256,
    production_problems,
    production_role_problems,
    secret_fingerprint,
)

LANDLORD = Settings(organisation_name="Riverside Housing", team_phone="0300 123 4567")
SECRET = "k" * 16 + "e" * 16 + "y" * 16
OTHER = "another secret, long enough to sign things"


def test_hkdf_is_rfc_5869():
    # RFC 5869, appendix A.1 (test case 1).
    okm = hkdf_sha256(bytes.fromhex("0b" * 22), bytes.fromhex("000102030405060708090a0b0c"),
                      bytes.fromhex("f0f1f2f3f4f5f6f7f8f9"), 42)
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865")


def test_derived_keys_are_per_use_and_say_nothing_of_the_secret():
    rate = derive_key(SECRET, "rate-limit")
    assert len(rate) == 32 and SECRET.encode() not in rate
    assert rate != derive_key(SECRET, "secret-key fingerprint", 32)
    assert rate != derive_key(OTHER, "rate-limit")
    assert rate == derive_key(SECRET, "rate-limit")  # every worker and machine agrees
    assert len(secret_fingerprint(SECRET)) == 16
    assert secret_fingerprint(SECRET) != secret_fingerprint(OTHER)


@pytest.mark.parametrize(("given", "problem"), [
    (None, "QD_ROLE is not set"),
    ("", "QD_ROLE is not set"),
    ("all", "QD_ROLE=all is for the demo only"),
])
def test_production_says_its_role_and_it_is_never_all(given, problem):
    [said] = production_role_problems(given)
    assert problem in said


def test_public_and_staff_are_production_roles():
    assert production_role_problems("public") == production_role_problems("staff") == []


@pytest.mark.parametrize("secret", ["", "x" * 31, "é" * 15])
def test_a_short_secret_key_stops_every_start(secret):
    always, _ = production_problems("public", secret, LANDLORD, {})
    assert any("SECRET_KEY is" in problem and "at least 32" in problem for problem in always)


def test_32_bytes_is_enough():
    assert production_problems("public", "é" * 16, LANDLORD, {}) == ([], [])


@pytest.mark.parametrize(("settings", "named"), [
    ({"organisation_name": "Northgate Homes (demo)"}, "organisation_name is the demo's"),
    ({"organisation_name": "NORTHGATE HOMES (DEMO)"}, "organisation_name is the demo's"),
    ({"organisation_name": "Northgate Homes"}, "organisation_name is the demo's"),
    ({"organisation_name": "Riverside Housing (demo)"}, "organisation_name is the demo's"),
    ({"team_phone": "0808 157 0192"}, "team_phone is the demo's number"),
    ({"team_phone": "08081570192"}, "team_phone is the demo's number"),
    ({"team_phone": "+44 808 157 0192"}, "team_phone is the demo's number"),
    ({"team_phone": "+44 (0)808 157-0192"}, "team_phone is the demo's number"),
])
def test_the_demo_landlord_and_number_stop_a_server(settings, named):
    site = Settings(**{"organisation_name": "Riverside Housing", "team_phone": "0300 123 4567",
                       **settings})
    always, serving = production_problems("public", SECRET, site, {})
    assert always == []
    assert any(problem.startswith(named) for problem in serving), serving


def test_the_staff_side_refuses_the_public_instances_secret_key():
    public = {"QD_PUBLIC_SECRET_FINGERPRINT": secret_fingerprint(SECRET)}
    always, _ = production_problems("staff", SECRET, LANDLORD, public)
    assert any("SECRET_KEY is the public instances' key" in problem for problem in always)
    # Its own key: fine; the fingerprint may be written in capitals.
    upper = {"QD_PUBLIC_SECRET_FINGERPRINT": secret_fingerprint(SECRET).upper()}
    assert production_problems("staff", OTHER, LANDLORD, upper) == ([], [])
    # Not told the public key's fingerprint: no staff server (a command may still run).
    always, serving = production_problems("staff", OTHER, LANDLORD, {})
    assert always == [] and "QD_PUBLIC_SECRET_FINGERPRINT is not set" in serving[0]
    always, _ = production_problems("staff", OTHER, LANDLORD,
                                    {"QD_PUBLIC_SECRET_FINGERPRINT": "the public one"})
    assert "must be the 16 hex characters" in always[0]
    # A public instance is never asked for it.
    assert production_problems("public", SECRET, LANDLORD, public) == ([], [])

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from webapp.rules import credentials as accounts

AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_passwords():
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert accounts.check_password(stored, "correct horse battery")
    assert not accounts.check_password(stored, "wrong horse battery")
    assert not accounts.check_password(None, "correct horse battery")  # no such account
    assert not accounts.check_password("not a hash", "x")
    with pytest.raises(ValueError):
        accounts.hash_password("short")


def test_totp_codes_work_once():
    secret = accounts.new_totp_secret()
    code = pyotp.TOTP(secret).at(AT)
    step = accounts.check_totp(secret, code, AT, None)
    assert step is not None
    assert accounts.check_totp(secret, code, AT, step) is None  # replayed
    assert accounts.check_totp(secret, code[:3] + " " + code[3:], AT, None) == step
    later = AT + timedelta(seconds=30)
    assert accounts.check_totp(secret, code, later, None) == step  # one step of drift
    assert accounts.check_totp(secret, code, AT + timedelta(minutes=5), None) is None
    assert accounts.check_totp(secret, "12345", AT, None) is None


def test_totp_uri_names_the_account():
    secret = accounts.new_totp_secret()
    uri = accounts.totp_uri(secret, "officer@example.org")
    assert uri.startswith(f"otpauth://totp/Quiet%20Door:officer%40example.org?secret={secret}")


def test_recovery_codes():
    codes = accounts.new_recovery_codes()
    assert len(set(codes)) == 8
    assert accounts.hash_recovery_code(codes[0]) == accounts.hash_recovery_code(
        " " + codes[0].upper() + " ")

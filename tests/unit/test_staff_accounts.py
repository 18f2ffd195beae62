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


@pytest.mark.parametrize("weak", [
    "aaaaaaaaaaaa",  # accepted before: long enough, and nothing else was checked
    "password1234", "qwertyuiop123", "123456789012", "iloveyou1234", "Password123!",
    "abcdefghijkl",
])
def test_common_and_guessable_passwords_are_refused(weak):
    problem = accounts.password_problem(weak)
    assert problem and "too easy to guess" in problem
    with pytest.raises(ValueError, match="too easy to guess"):
        accounts.hash_password(weak)


def test_a_password_made_of_the_email_is_refused():
    assert accounts.password_problem("sam.jones2026", ("sam.jones@example.org", "sam.jones"))


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


KEY = accounts.derive_key(b"x" * 32, accounts.RECOVERY_KEY)


def test_recovery_codes_have_120_bits_and_a_salted_keyed_hash():
    codes = accounts.new_recovery_codes()
    assert len(set(codes)) == 8
    assert all(len(accounts.normalise_recovery_code(code)) == 24 for code in codes)  # 5 bits each
    stored = accounts.hash_recovery_code(KEY, codes[0])
    assert accounts.recovery_code_matches(KEY, " " + codes[0].upper() + " ", stored)
    assert not accounts.recovery_code_matches(KEY, codes[1], stored)
    other_key = accounts.derive_key(b"y" * 32, accounts.RECOVERY_KEY)
    assert not accounts.recovery_code_matches(other_key, codes[0], stored)
    # The same code twice gives two different hashes: a salt each.
    assert accounts.hash_recovery_code(KEY, codes[0]) != stored
    # The 48-bit unsalted SHA-256 kept before is no longer accepted.
    import hashlib

    old = hashlib.sha256(b"ab12-cd34-ef56").hexdigest()
    assert not accounts.recovery_code_matches(KEY, "ab12-cd34-ef56", old)


def test_seeds_are_sealed_and_open_only_with_their_key():
    seed_key = accounts.derive_key(b"x" * 32, accounts.SEED_KEY)
    seed = accounts.new_totp_secret()
    sealed = accounts.seal_seed(seed_key, seed)
    assert seed not in sealed and accounts.is_sealed_seed(sealed)
    assert accounts.open_seed(seed_key, sealed) == seed
    assert accounts.open_seed(accounts.derive_key(b"y" * 32, accounts.SEED_KEY), sealed) is None
    assert accounts.open_seed(seed_key, seed) == seed  # kept in clear before: still read
    assert accounts.derive_key(b"x" * 32, accounts.SEED_KEY) != accounts.derive_key(
        b"x" * 32, accounts.AUDIT_KEY)

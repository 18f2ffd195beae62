"""Key rotation: a new current key in front, old referrals still open, a key
retired only once nothing stored needs it, and a stale public key noticed."""

import os
import re
import stat
import threading
import time
from datetime import timedelta
from pathlib import Path

from nacl.public import PrivateKey

from tests.integration.test_casework import act
from tests.integration.test_feed_reports_retention import refer
from tests.staff import REFERENCE_LINK, sign_in
from webapp.rules import sealing


def keys(app, *args):
    return app.test_cli_runner().invoke(args=["keys", *args])


def references(app, officer, clock):
    clock["now"] += timedelta(minutes=1)  # a fresh sign-in code
    sign_in(app, officer, clock)
    return REFERENCE_LINK.findall(officer.get("/staff/").get_data(as_text=True))


def test_rotate_keeps_old_referrals_open_and_retires_the_old_key_when_nothing_needs_it(
        site, make_app, database_url, clock):
    refer(site)  # sealed for the first key
    officer = site.test_client()
    [old] = references(site, officer, clock)
    act(officer, old, "note", {"note": "Sealed for the first key"})
    first = sealing.fingerprint(site.extensions["referral_public_key"])

    rotated = keys(site, "rotate")
    assert rotated.exit_code == 0, rotated.output
    new = re.search(r"New current key (\w+)", rotated.output).group(1)
    assert new != first and "1 older key(s) kept" in rotated.output
    key_file = os.path.join(site.instance_path, "referral_key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600

    # Restarted: the demo reads the new public key beside the key file.
    app = make_app(database_url, CLOCK=lambda: clock["now"])
    assert sealing.fingerprint(app.extensions["referral_public_key"]) == new
    refer(app)  # sealed for the new key
    officer = app.test_client()
    both = references(app, officer, clock)
    assert len(both) == 2
    for reference in both:
        page = officer.get(f"/staff/referral/{reference}")
        assert page.status_code == 200 and "020 7946 0018" in page.get_data(as_text=True)
    assert "Sealed for the first key" in officer.get(f"/staff/referral/{old}").get_data(
        as_text=True)

    status = keys(app, "status")
    assert status.exit_code == 0, status.output
    assert re.search(rf"{new}\s+current\s+opens 1 sealed", status.output)
    assert re.search(rf"{first}\s+retired\s+opens 2 sealed", status.output)  # referral, note
    assert f"QD_PUBLIC_KEY: {new} (the current key)" in status.output

    refused = keys(app, "retire", first)
    assert refused.exit_code == 1 and "still opens 2 stored item(s)" in refused.output
    assert keys(app, "retire", new).exit_code == 1  # never the current key

    act(officer, old, "close", {"outcome": "unreachable"})
    clock["now"] += timedelta(days=366)
    assert "Purged 1" in app.test_cli_runner().invoke(args=["referrals", "purge"]).output
    retired = keys(app, "retire", first)
    assert retired.exit_code == 0, retired.output
    assert first not in keys(app, "status").output
    assert len(sealing.load_keyring(site.instance_path, {}).keys) == 1


def test_something_sealed_for_a_key_not_held_is_reported_not_shown(site, clock, caplog):
    # A public instance still sealing for a key the staff side no longer has.
    stranger = PrivateKey.generate()
    site.extensions["referral_public_key"] = stranger.public_key
    refer(site)
    status = keys(site, "status")
    assert status.exit_code == 1
    assert "1 sealed item(s) open with none of these keys" in status.output
    assert "(NOT the current key: set QD_PUBLIC_KEY)" in status.output
    exported = site.test_cli_runner().invoke(args=["referrals", "export"])
    assert exported.exit_code == 1 and "1 referral(s) open with none of the keys" in exported.output
    officer = site.test_client()
    [reference] = references(site, officer, clock)
    page = officer.get(f"/staff/referral/{reference}")
    assert page.status_code == 500
    assert "sealed opens with none of the 1 private keys held here" in caplog.text


def test_key_files_with_several_keys(tmp_path):
    sealing.generate_keypair(tmp_path)
    path = tmp_path / "referral_key"
    first = sealing.load_keyring(tmp_path, {}).current
    keyring = sealing.rotate(path)
    assert [bytes(k) for k in keyring.keys[1:]] == [bytes(first)]
    assert path.read_text().startswith("# Quiet Door private keys")
    assert sealing.load_public_key(tmp_path, {}) == keyring.current.public_key
    again = sealing.load_keyring(tmp_path, {})
    sealed = sealing.seal(first.public_key, {"text": "old"})
    assert again.index_of(sealed) == 1 and sealing.unseal(again, sealed) == {"text": "old"}
    path.write_text(path.read_text() + "not a key\n")
    try:
        sealing.load_keyring(tmp_path, {})
    except sealing.KeyProblem as problem:
        assert f"{path}:5 is not a valid private key" in str(problem)
    else:
        raise AssertionError("a bad line must be refused")


def test_a_rewritten_key_file_keeps_its_owner_group_and_mode_and_its_link(tmp_path):
    secrets_dir = tmp_path / "mounted"
    sealing.generate_keypair(secrets_dir)
    real = secrets_dir / "referral_key"
    os.chmod(real, 0o640)  # the service reads it through its group (0644 is refused)
    link = tmp_path / "referral_key"
    link.symlink_to(real)
    before = os.stat(real)
    sealing.rotate(link)
    assert link.is_symlink() and link.resolve() == real
    after = os.stat(real)
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert len(sealing.load_keyring(tmp_path, {"QD_PRIVATE_KEY_FILE": str(link)}).keys) == 2
    assert not list(secrets_dir.glob("*.partial"))


def test_a_rotate_while_a_retire_is_counting_is_never_undone(site, clock, monkeypatch):
    """retire scans every sealed thing; a rotate meanwhile waits for it, and
    its new key is still in the file afterwards."""
    from webapp.staff import keys as cli

    refer(site)
    path = os.path.join(site.instance_path, "referral_key")
    sealing.rotate(Path(path))
    site.extensions["referral_public_key"] = sealing.load_public_key(site.instance_path, {})
    old = sealing.fingerprint(sealing.load_keyring(site.instance_path, {}).keys[1])
    counting, rotated = threading.Event(), []

    def slow_count(keyring):
        counting.set()
        time.sleep(0.5)  # the rotate below runs now, and must wait
        return [0] * len(keyring.keys), 0

    monkeypatch.setattr(cli, "count_by_key", slow_count)
    rotating = threading.Thread(target=lambda: counting.wait() and rotated.append(
        sealing.rotate(Path(path))))
    rotating.start()
    result = keys(site, "retire", old)
    rotating.join(timeout=10)
    assert result.exit_code == 0, result.output
    held = [sealing.fingerprint(k) for k in sealing.load_keyring(site.instance_path, {}).keys]
    assert held[0] == sealing.fingerprint(rotated[0].current)  # the rotate's new key
    assert old not in held and len(held) == 2


def test_the_staff_side_reads_its_keys_when_it_starts(site):
    assert isinstance(site.extensions["referral_private_key"], sealing.Keyring)

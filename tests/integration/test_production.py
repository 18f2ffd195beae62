"""Production defaults (issue 14, ASVS V14), each attack of the review
replayed against the running code."""

import os
import stat

import pytest

from webapp import create_app, db
from webapp.rules import sealing


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---------------------------------------------------------------------------
# Keys and files


@pytest.mark.parametrize("wide", [0o644, 0o604, 0o660, 0o666], ids=lambda m: f"{m:04o}")
def test_a_private_key_file_others_can_read_is_refused(make_app, keys, monkeypatch, wide):
    key_file = keys["private_file"]
    os.chmod(key_file, wide)
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", key_file)
    with pytest.raises(sealing.KeyFileTooOpen) as refused:
        make_app(QD_ROLE="staff")
    assert f"{key_file} has mode {wide:04o}" in str(refused.value)
    assert f"chmod 600 {key_file}" in str(refused.value)
    # The commands say the same (the app made before the change of mode).
    os.chmod(key_file, 0o600)
    staff = make_app(QD_ROLE="staff")
    os.chmod(key_file, wide)
    for command in (["keys", "status"], ["keys", "rotate"], ["referrals", "export"]):
        said = staff.test_cli_runner().invoke(args=command)
        assert said.exit_code == 1 and f"chmod 600 {key_file}" in said.output, command


def test_a_key_file_its_group_may_read_is_still_allowed(make_app, keys, monkeypatch):
    """deploy.md's 0640, for a service that reads the key through its group."""
    os.chmod(keys["private_file"], 0o640)
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", keys["private_file"])
    staff = make_app(QD_ROLE="staff")
    assert "referral_private_key" in staff.extensions


def test_the_demo_database_and_keys_are_its_owners_only(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("QD_PUBLIC_KEY", raising=False)
    monkeypatch.delenv("QD_PRIVATE_KEY_FILE", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "new" / "instance"
    app = create_app({"INSTANCE_PATH": str(instance), "TESTING": True})
    try:
        db.upgrade(app.extensions["db_engine"])
        app.test_client().get("/health")
    finally:
        app.extensions["db_engine"].dispose()
    files = {p.name: mode(p) for p in instance.iterdir()}
    assert files.pop("quietdoor.sqlite3") == 0o600
    assert files.pop("secret_key") == 0o600
    assert files.pop("referral_key") == 0o600
    assert files.pop("referral_key.pub") == 0o600
    assert set(files.values()) <= {0o600}  # SQLite's -wal and -shm, if still there
    assert mode(instance) == 0o700


def test_a_sqlite_file_named_elsewhere_is_made_private_too(make_app, tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'data' / 'site.sqlite3'}")
    db.upgrade(app.extensions["db_engine"])
    assert mode(tmp_path / "data" / "site.sqlite3") == 0o600
    assert mode(tmp_path / "data") == 0o700

"""gunicorn's entry point: production unless told otherwise, and loaded
ready to fork (templates, catalogues and content read, no database touched)."""

import os
import subprocess
import sys

from tests.servers import ROOT
from webapp.rules import sealing

SHOW = "import webapp.wsgi as w; print(w.app.config['QD_ENV'], w.app.config['QD_ROLE'])"


def load(env: dict) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("QD_", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run([sys.executable, "-c", SHOW], cwd=ROOT, env={**keep, **env},
                          capture_output=True, text=True, timeout=60)


def test_gunicorn_means_production_and_production_needs_a_secret(tmp_path):
    refused = load({"QD_INSTANCE_PATH": str(tmp_path)})
    assert refused.returncode != 0
    assert "No SECRET_KEY" in refused.stderr
    assert not (tmp_path / "secret_key").exists()  # nothing made up on the spot


def test_a_public_instance_loads_without_reaching_its_database(tmp_path):
    public_key = sealing.encode_key(sealing.generate_keypair(tmp_path / "keys"))
    loaded = load({
        "QD_INSTANCE_PATH": str(tmp_path / "instance"), "QD_ROLE": "public",
        "SECRET_KEY": "s" * 48, "QD_PUBLIC_KEY": public_key,
        "QD_ORGANISATION_NAME": "Riverside Housing", "QD_TEAM_PHONE": "0300 123 4567",
        # Nothing listens here: loading (and warming) must not need the database.
        "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["production", "public"]


def test_a_misspelt_environment_is_refused_not_taken_for_the_demo(tmp_path):
    for value in ("prod", "", "Production"):
        refused = load({"QD_INSTANCE_PATH": str(tmp_path), "QD_ENV": value})
        assert refused.returncode != 0, value
        assert "QD_ENV must be production or demo" in refused.stderr, value
    assert not (tmp_path / "secret_key").exists()


def test_a_staff_instance_will_not_serve_without_the_staff_secret(tmp_path):
    public_key = sealing.encode_key(sealing.generate_keypair(tmp_path / "keys"))
    staff = {"QD_INSTANCE_PATH": str(tmp_path / "instance"), "QD_ROLE": "staff",
             "SECRET_KEY": "s" * 48, "QD_PUBLIC_KEY": public_key,
             "QD_PRIVATE_KEY_FILE": str(tmp_path / "keys" / sealing.PRIVATE_KEY_FILE),
             "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
             "QD_ORGANISATION_NAME": "Riverside Housing", "QD_TEAM_PHONE": "0113 496 0000",
             "QD_PUBLIC_SECRET_FINGERPRINT": "0123456789abcdef"}
    refused = load(staff)
    assert refused.returncode != 0 and "No staff secret: set QD_STAFF_SECRET" in refused.stderr
    assert not (tmp_path / "instance" / "staff_secret").exists()  # never made up in production
    loaded = load({**staff, "QD_STAFF_SECRET": "t" * 64})
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["production", "staff"]

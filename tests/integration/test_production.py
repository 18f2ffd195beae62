"""Production defaults (issue 14, ASVS V14), each attack of the review
replayed: a production box that would have served the staff sign-in, the
demo's landlord or number, a guessable secret, a staff side sharing the
public side's secret, keys made in the wrong place or readable by others, a
rate-limit key chosen by the client, and a rate-limit key made with the
session key."""

import hashlib
import hmac
import os
import stat
import subprocess
import sys

import pytest
from flask import request

from tests.servers import BIN, ROOT, free_port
from webapp import create_app, db, limits
from webapp.rules import sealing
from webapp.settings import SettingsError, derive_key, secret_fingerprint

LANDLORD = {"organisation_name": "Riverside Housing", "team_phone": "0300 123 4567"}
SECRET = "a production secret key, long and random enough"
# The environment a machine is given, as QD_ variables (docs/configuration.md).
LANDLORD_ENV = {"QD_ORGANISATION_NAME": "Riverside Housing", "QD_TEAM_PHONE": "0300 123 4567"}


def bare_environment(**env) -> dict:
    """This process's environment without anything of Quiet Door's: a new machine."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("QD_", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "FLASK_"))}
    return {**keep, **env}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ---------------------------------------------------------------------------
# The role


def test_a_production_box_started_without_a_role_serves_nothing(tmp_path):
    """The attack: gunicorn on a box nobody told its role served the demo's
    `all`, with /staff/login on the internet. Now the start is refused."""
    public_key = sealing.encode_key(sealing.generate_keypair(tmp_path / "keys"))
    port = free_port()
    server = subprocess.run(
        [BIN / "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "webapp.wsgi:app"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=bare_environment(SECRET_KEY=SECRET, QD_PUBLIC_KEY=public_key,
                             QD_INSTANCE_PATH=str(tmp_path / "instance"),
                             GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1",
                             **LANDLORD_ENV))
    assert server.returncode != 0
    assert "QD_ROLE is not set" in server.stderr
    assert "QD_ROLE=public (the resident site) or QD_ROLE=staff" in server.stderr


@pytest.mark.parametrize("how", ["config", "environment"])
def test_production_refuses_the_demo_role(make_app, monkeypatch, how):
    if how == "environment":
        monkeypatch.setenv("QD_ROLE", "all")
        config = {}
    else:
        config = {"QD_ROLE": "all"}
    with pytest.raises(SettingsError, match="QD_ROLE=all is for the demo only"):
        make_app(QD_ENV="production", SITE=LANDLORD, **config)


def test_the_demo_keeps_all_as_its_default(make_app, monkeypatch):
    monkeypatch.delenv("QD_ROLE", raising=False)
    app = make_app()  # QD_ENV=demo, as make run
    assert app.config["QD_ROLE"] == "all"
    assert app.test_client().get("/staff/login").status_code == 200


# ---------------------------------------------------------------------------
# The landlord's settings and the secret key


@pytest.mark.parametrize(("site", "named"), [
    ({}, "organisation_name is the demo's (Northgate Homes (demo))"),
    ({"organisation_name": "Riverside Housing"}, "team_phone is the demo's number"),
    ({"team_phone": "0300 123 4567"}, "organisation_name is the demo's"),
    ({"organisation_name": "Riverside Housing", "team_phone": "+44 808 157 0192"},
     "team_phone is the demo's number"),
])
def test_production_refuses_the_demo_landlord_and_number(make_app, tmp_path, site, named):
    sealing.generate_keypair(tmp_path / "instance")
    with pytest.raises(SettingsError) as refused:
        make_app(QD_ENV="production", QD_ROLE="public", SITE=site)
    assert named in str(refused.value)
    assert "Quiet Door will not start in production" in str(refused.value)


def test_the_example_settings_must_be_filled_in(make_app, tmp_path, monkeypatch):
    example = (ROOT / "docs" / "quietdoor.example.toml").read_text()
    config = tmp_path / "quietdoor.toml"
    config.write_text(example)
    monkeypatch.setenv("QD_CONFIG_FILE", str(config))
    sealing.generate_keypair(tmp_path / "instance")
    with pytest.raises(SettingsError, match="organisation_name must not be empty"):
        make_app(QD_ENV="production", QD_ROLE="public")
    config.write_text(example.replace('organisation_name = ""',
                                      'organisation_name = "Riverside Housing"'))
    with pytest.raises(SettingsError, match="team_phone must not be empty"):
        make_app(QD_ENV="production", QD_ROLE="public")
    config.write_text(example.replace('organisation_name = ""',
                                      'organisation_name = "Riverside Housing"')
                      .replace('team_phone = ""', 'team_phone = "0300 123 4567"'))
    app = make_app(QD_ENV="production", QD_ROLE="public")
    assert app.config["SITE"].team_phone == "0300 123 4567"


@pytest.mark.parametrize("secret", ["changeme", "x" * 31])
def test_production_refuses_a_short_secret_key(tmp_path, secret):
    public_key = sealing.encode_key(sealing.generate_keypair(tmp_path / "keys"))
    loaded = subprocess.run(
        [sys.executable, "-c", "import webapp.wsgi"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env=bare_environment(SECRET_KEY=secret, QD_ROLE="public",
                                         QD_PUBLIC_KEY=public_key,
                                         QD_INSTANCE_PATH=str(tmp_path / "instance"),
                                         **LANDLORD_ENV))
    assert loaded.returncode != 0
    assert f"SECRET_KEY is {len(secret)} bytes long: production needs at least 32" in (
        loaded.stderr)


def test_a_production_instance_set_up_as_documented_starts(tmp_path):
    public_key = sealing.encode_key(sealing.generate_keypair(tmp_path / "keys"))
    loaded = subprocess.run(
        [sys.executable, "-c", "import webapp.wsgi as w; print(w.app.config['QD_ROLE'])"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=bare_environment(SECRET_KEY="x" * 32, QD_ROLE="public", QD_PUBLIC_KEY=public_key,
                             QD_INSTANCE_PATH=str(tmp_path / "instance"), **LANDLORD_ENV))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["public"]


def test_the_staff_side_refuses_the_public_sides_secret_key(make_app, tmp_path, keys,
                                                             monkeypatch):
    """One SECRET_KEY on both roles: whoever takes over the internet-facing
    server could sign staff sessions. The staff instance knows the public
    key only by its fingerprint, and refuses to be given that key."""
    monkeypatch.setenv("QD_PUBLIC_KEY", keys["public"])
    monkeypatch.setenv("QD_PRIVATE_KEY_FILE", keys["private_file"])
    public = make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD, SECRET_KEY=SECRET,
                      INSTANCE_PATH=str(tmp_path / "public"))
    said = public.test_cli_runner().invoke(args=["keys", "status"])
    assert f"Its SECRET_KEY fingerprint: {secret_fingerprint(SECRET)}" in said.output
    assert SECRET not in said.output

    monkeypatch.setenv("QD_PUBLIC_SECRET_FINGERPRINT", secret_fingerprint(SECRET))
    with pytest.raises(SettingsError, match="SECRET_KEY is the public instances' key"):
        make_app(QD_ENV="production", QD_ROLE="staff", SITE=LANDLORD, SECRET_KEY=SECRET,
                 INSTANCE_PATH=str(tmp_path / "staff"))
    staff = make_app(QD_ENV="production", QD_ROLE="staff", SITE=LANDLORD,
                     SECRET_KEY="the staff side's own secret key, as long",
                     INSTANCE_PATH=str(tmp_path / "staff"))
    db.upgrade(staff.extensions["db_engine"])
    said = staff.test_cli_runner().invoke(args=["keys", "status"])
    assert "(not the public instances' key)" in said.output

    monkeypatch.delenv("QD_PUBLIC_SECRET_FINGERPRINT")
    with pytest.raises(SettingsError, match="QD_PUBLIC_SECRET_FINGERPRINT is not set"):
        make_app(QD_ENV="production", QD_ROLE="staff", SITE=LANDLORD,
                 SECRET_KEY="the staff side's own secret key, as long",
                 INSTANCE_PATH=str(tmp_path / "staff"))


# ---------------------------------------------------------------------------
# Keys


def flask_command(*args, cwd, **env) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "flask", "--app", "webapp", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env=bare_environment(**env))


def test_keys_generate_on_a_new_production_machine_makes_one_pair_where_asked(tmp_path):
    """deploy.md's first step, on an empty machine: it used to need the key it
    was about to make (and, in the demo, made a second pair in the instance
    folder). Nothing is configured yet but the role and the secret."""
    machine = tmp_path / "machine"
    machine.mkdir()
    made = flask_command("keys", "generate", "--folder", str(tmp_path / "etc" / "keys"),
                         cwd=machine, QD_ENV="production", QD_ROLE="staff", SECRET_KEY=SECRET,
                         QD_INSTANCE_PATH=str(tmp_path / "var" / "quietdoor"))
    assert made.returncode == 0, made.stderr
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["etc/keys/referral_key", "etc/keys/referral_key.pub"]
    keys = tmp_path / "etc" / "keys"
    assert mode(keys / "referral_key") == 0o600
    assert mode(keys / "referral_key.pub") == 0o600
    assert mode(keys) == 0o700
    keyring = sealing.load_keyring(keys, {})
    assert sealing.encode_key(keyring.current.public_key) in made.stdout
    # Not yet ready to serve, and it says what is missing.
    assert "Before serving in production: organisation_name is the demo's" in made.stderr

    again = flask_command("keys", "generate", "--folder", str(keys), cwd=machine,
                          QD_ENV="production", QD_ROLE="staff", SECRET_KEY=SECRET,
                          QD_INSTANCE_PATH=str(tmp_path / "var" / "quietdoor"))
    assert again.returncode == 1 and "A private key already exists" in again.stderr
    assert sealing.load_keyring(keys, {}).current.public_key == keyring.current.public_key


def test_the_demo_staff_role_makes_no_key_pair_of_its_own(tmp_path):
    """`QD_ROLE=staff flask keys generate --folder DIR`, as deploy.md said
    without QD_ENV: one pair, in DIR, and none in the instance folder."""
    made = flask_command("keys", "generate", "--folder", str(tmp_path / "keys"),
                         cwd=tmp_path, QD_ROLE="staff",
                         QD_INSTANCE_PATH=str(tmp_path / "instance"))
    assert made.returncode == 0, made.stderr
    assert not list((tmp_path / "instance").glob("referral_key*"))
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == [
        "referral_key", "referral_key.pub"]


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


# ---------------------------------------------------------------------------
# Rate limits and the proxy


def test_the_rate_limit_key_is_not_made_with_the_session_key(make_app):
    """The session-signing key signs sessions and nothing else: the rate-limit
    HMAC uses a key derived from it with HKDF and its own label."""
    app = make_app(SECRET_KEY=SECRET)
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        key = limits.client_key()
    with_secret = hmac.new(SECRET.encode(), b"203.0.113.7", hashlib.sha256).hexdigest()[:24]
    assert key != with_secret
    derived = derive_key(SECRET, "rate-limit")
    assert derived != SECRET.encode()[:32]
    assert key == hmac.new(derived, b"203.0.113.7", hashlib.sha256).hexdigest()[:24]
    assert "203.0.113.7" not in key


PROXY = "10.0.0.5"


def sends(client, peer, forwarded):
    return client.post("/concern/questions", data={"go": "send", "step": "check"},
                       environ_base={"REMOTE_ADDR": peer},
                       headers={"X-Forwarded-For": forwarded}).status_code


def test_a_client_that_reaches_the_server_directly_cannot_choose_its_rate_limit_key(make_app):
    """QD_PROXY_HOPS=1, and someone reaches gunicorn without the proxy: each
    request claims another X-Forwarded-For. It is counted by its own address."""
    app = make_app(RATELIMIT_ENABLED=True, PROXY_HOPS=1, PROXY_PEERS=f"{PROXY},192.0.2.0/28")
    db.upgrade(app.extensions["db_engine"])
    client = app.test_client()
    statuses = [sends(client, "198.51.100.20", f"203.0.113.{n}") for n in range(31)]
    assert statuses[-1] == 429  # one client, however many addresses it claims
    # Through the proxy (an address, or one of a network), each resident counts alone.
    assert sends(client, PROXY, "203.0.113.77") != 429
    assert sends(client, "192.0.2.9", "203.0.113.78") != 429
    assert sends(client, "::ffff:10.0.0.5", "203.0.113.79") != 429


def test_the_health_check_needs_no_proxy_headers(make_app, tmp_path):
    """The load balancer may check an instance directly over plain http: /health
    answers it, while a direct client's X-Forwarded-Proto is not believed."""
    sealing.generate_keypair(tmp_path / "instance")
    app = make_app(QD_ENV="production", QD_ROLE="public", SITE=LANDLORD, PROXY_HOPS=1,
                   PROXY_PEERS=PROXY)
    db.upgrade(app.extensions["db_engine"])
    seen = []
    app.before_request(lambda: seen.append((request.scheme, request.remote_addr)))
    client = app.test_client()
    balancer = {"REMOTE_ADDR": "10.9.9.9"}
    health = client.get("/health", environ_base=balancer)
    assert health.status_code == 200 and health.get_data(as_text=True) == "ok\n"
    seen.clear()
    claims = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    client.get("/health", environ_base=balancer, headers=claims)
    client.get("/health", environ_base={"REMOTE_ADDR": PROXY}, headers=claims)
    assert seen == [("http", "10.9.9.9"), ("https", "203.0.113.5")]


def test_a_proxy_list_that_is_not_addresses_is_refused(make_app):
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS"):
        make_app(PROXY_HOPS=1, PROXY_PEERS="proxy.internal")


def test_a_unix_socket_is_the_proxy(make_app):
    """Bound to a Unix socket (no address), only who may open it gets in: the
    proxy, as gunicorn itself believes."""
    app = make_app(PROXY_HOPS=1, PROXY_PEERS=PROXY)
    seen = []
    app.before_request(lambda: seen.append(request.remote_addr))
    app.test_client().get("/health", environ_base={"REMOTE_ADDR": ""},
                          headers={"X-Forwarded-For": "203.0.113.5"})
    assert seen == ["203.0.113.5"]


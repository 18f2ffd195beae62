"""The way back through the public instance's own PostgreSQL user (flask db
grant-public): everything a resident does on /return works with what it was
granted, and with that user nothing meant for the team can be read, and
nothing the team keeps can be changed or deleted (only her own sealed copies,
which closing empties, and the locks, which closing replaces). Whatever the
database keeps and whatever is logged holds none of her words in clear
(SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, create_engine, select

from tests.conftest import Walker
from tests.integration.test_public_database_user import public_user  # noqa: F401 (a fixture)
from tests.integration.test_way_back import PASSPHRASE, open_way_back, press, send_with_way_back
from tests.servers import ROOT
from tests.staff import OFFICER, REFERENCE_LINK, add_officer, sign_in
from webapp.db import sqlite_file
from webapp.rules.reference import new_reference

psycopg = pytest.importorskip("psycopg")

MESSAGE = "The van comes on Thursdays now, ring after seven"
FOLLOW_UP = "The side gate is unlocked from six"
WRONG = "marble teapot sideways drifting"
ANSWER = "quartz-marmalade-5512"  # her answer to "what would help" (ASK_BY_SITE)
# What must never be kept or logged in clear, by anyone.
SECRETS = (MESSAGE, FOLLOW_UP, PASSPHRASE, WRONG, ANSWER)
# Where a reference is kept in clear, by design: the referral (the staff
# queue), its way back (found by it), the failed tries counted against it, and
# the notifications that carry nothing else.
REFERENCE_COLUMNS = {("referral", "reference"), ("way_back", "reference"),
                     ("way_back_try", "reference"), ("notification", "reference")}
COULD_NOT_OPEN = "We could not open that. Check both and try again."


def without_tokens(html: str) -> str:
    """A page with its security token and the typed-in values taken out."""
    return re.sub(r'value="[^"]*"', 'value=""', html)


def the_loop(client, before_closing=lambda: None) -> str:
    """She asks to be written to here, with a passphrase; comes back, writes
    twice, changes nothing else; someone tries her reference with a wrong
    passphrase (the same answer as an unknown reference); she closes her way
    back (and then her passphrase gets that answer too). Her reference."""
    reference, html = send_with_way_back(Walker(client))
    assert "We will write to you here by" in html
    assert open_way_back(client, reference).status_code == 303
    for text in (MESSAGE, FOLLOW_UP):
        assert press(client, "write", text=text).status_code == 303
    page = client.get("/return").get_data(as_text=True)
    assert MESSAGE in page and FOLLOW_UP in page and "We received your request" in page

    someone = client.application.test_client()
    unknown = new_reference()
    while unknown == reference:
        unknown = new_reference()
    answers = [open_way_back(someone, reference, WRONG),
               open_way_back(someone, unknown, WRONG)]
    assert [answer.status_code for answer in answers] == [400, 400]
    assert COULD_NOT_OPEN in answers[0].get_data(as_text=True)
    assert without_tokens(answers[0].get_data(as_text=True)) == without_tokens(
        answers[1].get_data(as_text=True))

    before_closing()
    closed = press(client, "close")
    assert closed.status_code == 200 and "Your way back is closed" in closed.get_data(
        as_text=True)
    again = open_way_back(someone, reference)
    assert again.status_code == 400
    assert without_tokens(again.get_data(as_text=True)) == without_tokens(
        answers[0].get_data(as_text=True))
    return reference


def found_in_clear(url: str, needles: tuple[str, ...]) -> set[tuple[str, str, str]]:
    """(table, column, needle) for every column of every table, read as the
    tables' owner, whose value holds one of ``needles``' bytes."""
    engine = create_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    found = set()
    with engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    raw = value if isinstance(value, bytes) else str(value).encode()
                    found |= {(table.name, column.name, needle) for needle in needles
                              if needle.encode() in raw}
    engine.dispose()
    return found


def assert_nothing_in_clear(url: str, reference: str, caplog) -> None:
    assert found_in_clear(url, SECRETS) == set()
    assert {(table, column) for table, column, _ in found_in_clear(url, (reference,))} \
        == REFERENCE_COLUMNS
    path = sqlite_file(url.replace("sqlite+pysqlite", "sqlite"))
    if path is not None:  # and not in a page freed, nor in the write-ahead log
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                raw = part.read_bytes()
                assert [text for text in SECRETS if text.encode() in raw] == [], part
    logged = caplog.text
    for text in (*SECRETS, reference, reference.replace("-", "")):
        assert text not in logged


@pytest.fixture
def caught(caplog):
    """Everything logged, at every level, except SQLAlchemy's own echo of
    statements and their values (off in production, as by default)."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")
    caplog.set_level(logging.INFO, logger="markdown_it")  # every rule it tries, on every page
    return caplog


def public_instance(make_app, url, clock, monkeypatch, tmp_path):
    """A public instance on ``url`` (after ``instances``: its public key is
    set), adding notifications on two channels."""
    monkeypatch.setenv("NOTIFY_CHANNELS", "email,webhook")
    return make_app(url, QD_ROLE="public", CLOCK=lambda: clock["now"],
                    INSTANCE_PATH=str(tmp_path / "public-on-its-user"))


def test_her_words_are_kept_and_logged_nowhere_in_clear(instances, make_app, database_url,
                                                        clock, monkeypatch, tmp_path, caught):
    """SQLite and PostgreSQL, both instances on the tables' owner."""
    public = public_instance(make_app, database_url, clock, monkeypatch, tmp_path)
    reference = the_loop(public.test_client())
    assert_nothing_in_clear(database_url, reference, caught)


def test_the_way_back_through_the_limited_public_user(instances, public_user,  # noqa: F811
                                                      make_app, clock, monkeypatch,
                                                      tmp_path, caught):
    _, staff = instances
    name, public_url = public_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    assert "way_back_entry" in granted.output
    public = public_instance(make_app, public_url, clock, monkeypatch, tmp_path)

    def what_it_reads():
        """All it can read of her way back while it is open: locks, keys and
        ciphertext, none of her words."""
        with psycopg.connect(public_url) as conn:
            entries = conn.execute("SELECT id, referral_id, at, kind, by_resident, for_resident "
                                   "FROM way_back_entry ORDER BY id").fetchall()
            way_back = conn.execute("SELECT * FROM way_back").fetchall()
        assert [row[3] for row in entries] == ["received", "message", "message"]
        sealed = [bytes(row[5]) for row in entries]
        assert all(len(copy) > len(FOLLOW_UP) for copy in sealed)  # her copies, sealed
        read = repr(entries).encode() + repr(way_back).encode() + b"".join(sealed)
        assert [text for text in SECRETS if text.encode() in read] == []

    reference = the_loop(public.test_client(), what_it_reads)

    add_officer(staff, OFFICER, clock)
    officer = staff.test_client()
    sign_in(staff, officer, clock)
    assert REFERENCE_LINK.findall(officer.get("/staff/").get_data(as_text=True)) == [reference]
    assert_nothing_in_clear(staff.config["DATABASE_URL"], reference, caught)
    owner = staff.config["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(owner) as conn:
        kinds = conn.execute("SELECT kind, for_resident IS NULL, for_staff IS NULL "
                             "FROM way_back_entry ORDER BY id").fetchall()
        notified = conn.execute("SELECT channel, event FROM notification "
                                "ORDER BY event, channel").fetchall()
        shut = conn.execute("SELECT closed_at IS NOT NULL FROM way_back").fetchall()
    # Her copies are gone; the team's record stays, with both messages.
    assert kinds == [("received", True, True), ("message", True, False),
                     ("message", True, False), ("way_back_closed", True, False)]
    # One "news on this way back" per channel, however many messages
    # (the second insert met the first and did nothing).
    assert notified == [("email", "new"), ("webhook", "new"),
                        ("email", "update"), ("webhook", "update")]
    assert shut == [(True,)]

    with psycopg.connect(public_url, autocommit=True) as conn:
        for statement in (
            "SELECT for_staff FROM way_back_entry",
            "SELECT due_at FROM way_back_entry",
            "SELECT dealt_at, dealt_by FROM way_back_entry",
            "SELECT * FROM way_back_entry",
            "SELECT sealed FROM referral",
            "SELECT reference FROM referral",
            "SELECT reference FROM notification",
            "UPDATE way_back_entry SET kind = 'x'",
            "UPDATE way_back_entry SET for_staff = NULL",
            "UPDATE way_back_entry SET due_at = NULL, dealt_at = now()",
            "DELETE FROM way_back_entry",
            "INSERT INTO way_back_entry (referral_id, at, kind, by_resident, dealt_at) "
            "SELECT referral_id, now(), 'message', true, now() FROM way_back",
            "UPDATE way_back SET public_key = lock",
            "UPDATE way_back SET reference = 'BBB-BBB'",
            "DELETE FROM way_back",
            "UPDATE referral SET status = 'closed'",
            "DELETE FROM referral",
            "DELETE FROM notification",
            "SELECT * FROM staff_user",
            "SELECT * FROM staff_session",
            "SELECT * FROM audit_entry",
            "SELECT * FROM contact_attempt",
            "SELECT * FROM referral_note",
            "SELECT * FROM api_token",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        # What it can read of the entries: when, what kind, and her copies (gone now).
        readable = conn.execute("SELECT id, referral_id, at, kind, by_resident, for_resident "
                                "FROM way_back_entry").fetchall()
        assert len(readable) == 4 and all(row[5] is None for row in readable)


SECOND = "copper kettle winter seagull"
ADDED = "My sister has a new number as well"
UNDER_PRESSURE = "Everything is fine, please do not call"
CHANGE = {"contact": {"method": "site"}, "letters": {"post_safe": "no"}, "trusted-person": {}}
SHOWN = re.compile(r'name="step" value="([^"]+)"')


def change_nothing_but_save(client) -> None:
    """"Change how and when we contact you", answered as before, and saved."""
    assert press(client, "show", page="change").status_code == 303
    for _ in range(len(CHANGE) + 1):
        html = client.get("/return").get_data(as_text=True)
        slug = SHOWN.search(html).group(1)
        if slug == "check":
            break
        assert press(client, "answer", step=slug, **CHANGE[slug]).status_code == 303, slug
    else:
        raise AssertionError("the change never reached its check page")
    assert press(client, "save").status_code == 303


def test_every_button_works_on_the_limited_public_user(instances, public_user,  # noqa: F811
                                                       make_app, clock, monkeypatch, tmp_path):
    """What the loop above does not press, through the limited user: a second
    passphrase and a visit under pressure, add, stop and resume, a change of
    contact, leave, a visit ended by ten idle minutes, and the quick exit."""
    _, staff = instances
    name, public_url = public_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    public = public_instance(make_app, public_url, clock, monkeypatch, tmp_path)
    client = public.test_client()
    reference, _ = send_with_way_back(Walker(client))

    assert open_way_back(client, reference).status_code == 303
    assert press(client, "show", page="more").status_code == 303
    assert press(client, "more", passphrase=SECOND, passphrase_again=SECOND).status_code == 303
    assert press(client, "add", text=ADDED).status_code == 303
    assert press(client, "stop").status_code == 303
    assert "You asked us to stop" in client.get("/return").get_data(as_text=True)
    assert press(client, "resume").status_code == 303
    change_nothing_but_save(client)
    assert "Saved." in client.get("/return").get_data(as_text=True)
    assert "You have left" in press(client, "leave").get_data(as_text=True)

    assert open_way_back(client, reference, SECOND).status_code == 303  # under pressure
    page = client.get("/return").get_data(as_text=True)
    assert "There are no messages yet." in page and ADDED not in page
    assert press(client, "write", text=UNDER_PRESSURE).status_code == 303
    assert "Your way back is closed" in press(client, "close").get_data(as_text=True)

    assert open_way_back(client, reference).status_code == 303  # only seemed closed
    assert ADDED in client.get("/return").get_data(as_text=True)
    clock["now"] += timedelta(minutes=11)
    assert "after 10 minutes without any activity" in client.get("/return").get_data(
        as_text=True)
    assert open_way_back(client, reference).status_code == 303
    assert client.get("/exit").status_code == 303

    owner = staff.config["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(owner) as conn:
        kinds = [row[0] for row in conn.execute("SELECT kind FROM way_back_entry ORDER BY id")]
        left = conn.execute("SELECT (SELECT count(*) FROM return_visit), "
                            "(SELECT count(*) FROM way_back_try), "
                            "(SELECT count(*) FROM way_back WHERE closed_at IS NULL)"
                            ).fetchone()
        updates = conn.execute("SELECT count(*) FROM notification "
                               "WHERE event = 'update'").fetchone()
    assert kinds == ["received", "pressure_set", "added", "stop", "resumed", "contact_changed",
                     "pressure", "message"]
    assert left == (0, 0, 1)  # no visit left, no failed try, still open
    assert updates == (2,)  # one per channel, however much news


ALONE = textwrap.dedent("""
    from webapp import create_app, db
    from tests.conftest import Walker
    from tests.integration.test_way_back import open_way_back, press, send_with_way_back

    app = create_app()
    client = app.test_client()
    reference, _ = send_with_way_back(Walker(client))
    assert open_way_back(client, reference).status_code == 303
    assert press(client, "write", text="Only after six").status_code == 303
    assert "Only after six" in client.get("/return").get_data(as_text=True)
    assert "staff_user" not in db.Base.metadata.tables  # nothing of the staff side loaded
    print("sent, opened and written")
""")


def test_a_public_process_of_its_own_stores_referrals_and_ways_back(instances, database_url,
                                                                      keys, tmp_path, request):
    """As gunicorn runs a public instance: a process that never loads the
    staff side (a test process always has), on its own database user. The
    referral's key to staff_user once made every flush fail there."""
    url = database_url
    if url.startswith("postgresql"):
        _, staff = instances
        name, url = request.getfixturevalue("public_user")
        assert staff.test_cli_runner().invoke(args=["db", "grant-public", name]).exit_code == 0
    env = {**os.environ, "QD_ENV": "demo", "QD_ROLE": "public", "DATABASE_URL": url,
           "QD_PUBLIC_KEY": keys["public"], "QD_INSTANCE_PATH": str(tmp_path / "alone"),
           "SECRET_KEY": "alone-" + "x" * 40, "RATELIMIT_ENABLED": "false"}
    env.pop("QD_PRIVATE_KEY_FILE", None)
    done = subprocess.run([sys.executable, "-c", ALONE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "sent, opened and written" in done.stdout

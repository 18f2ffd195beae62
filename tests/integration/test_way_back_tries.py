"""Five failed tries shut a reference's way back for an hour, whoever tries and
however many try at once: each try is counted in one statement before its
passphrase is checked, so the sixth is refused without a check, even when
all of them arrive at the same moment. An unknown reference is counted the
same way (the answers must not tell one from the other)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from werkzeug.serving import make_server

from tests.conftest import Walker
from tests.integration.test_public_database_user import public_user  # noqa: F401 (a fixture)
from tests.integration.test_staff_attacks import Browser, at_once
from tests.integration.test_way_back import PASSPHRASE, open_way_back, send_with_way_back
from tests.servers import gunicorn
from webapp.rules import wayback
from webapp.rules.reference import new_reference
from webapp.wayback.models import WayBackTry

WRONG = "marble teapot sideways drifting"
SHUT = "There have been too many tries to open this."
COULD_NOT_OPEN = "We could not open that. Check both and try again."


@pytest.fixture
def derivations(monkeypatch):
    """How many passphrases have been checked (keys derived) in this process:
    ``[count, most at the same time]``."""
    count, lock, derive, running = [0, 0], threading.Lock(), wayback.derive, [0]

    def counted(*args, **kwargs):
        with lock:
            count[0] += 1
            running[0] += 1
            count[1] = max(count[1], running[0])
        try:
            return derive(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(wayback, "derive", counted)
    return count


def tries_of(url: str, reference: str) -> tuple[int, object] | None:
    """(failures, shut_until) kept for ``reference``, read as the owner."""
    engine = create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            select(WayBackTry.failures, WayBackTry.shut_until)
            .where(WayBackTry.reference == reference)).first()
    engine.dispose()
    return tuple(row) if row else None


def reference_to_try(client, known: bool) -> str:
    """Her reference (a way back sent through ``client``), or one no one has."""
    reference, _ = send_with_way_back(Walker(client))
    if known:
        return reference
    unknown = new_reference()
    while unknown == reference:
        unknown = new_reference()
    return unknown


# -- one after another, through the test client (SQLite and PostgreSQL) -------------------

@pytest.mark.parametrize("known", [True, False], ids=["her reference", "unknown"])
def test_the_sixth_try_is_refused_unchecked_for_an_hour(site, clock, derivations, known):
    reference = reference_to_try(site.test_client(), known)
    derivations[0] = 0
    answers = []
    for _ in range(5):  # each from a new client: the count is the reference's
        answer = open_way_back(site.test_client(), reference, WRONG)
        answers.append((answer.status_code, SHUT in answer.get_data(as_text=True)))
    assert answers == [(400, False)] * 4 + [(429, True)]  # the fifth failure shuts it
    assert derivations[0] == 5

    right = open_way_back(site.test_client(), reference)  # the sixth: not even checked
    assert (right.status_code, SHUT in right.get_data(as_text=True)) == (429, True)
    assert derivations[0] == 5
    failures, shut_until = tries_of(site.config["DATABASE_URL"], reference)
    assert failures == 6 and shut_until == clock["now"] + wayback.SHUT_FOR

    clock["now"] += timedelta(minutes=59)
    assert open_way_back(site.test_client(), reference).status_code == 429
    assert derivations[0] == 5
    clock["now"] += timedelta(minutes=2)
    reopened = open_way_back(site.test_client(), reference)
    assert derivations[0] == 6
    if known:
        assert reopened.status_code == 303  # and her earlier failures are forgotten
        assert tries_of(site.config["DATABASE_URL"], reference) is None
    else:
        assert reopened.status_code == 400 and COULD_NOT_OPEN in reopened.get_data(
            as_text=True)
        assert tries_of(site.config["DATABASE_URL"], reference)[0] == 1  # counted afresh


# -- at the same moment, on PostgreSQL, through the limited public user --------------------

@pytest.fixture
def limited_public(instances, public_user, make_app, clock, tmp_path):  # noqa: F811
    """A public instance on its own limited database user, on the test clock."""
    _, staff = instances
    name, public_url = public_user
    granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
    assert granted.exit_code == 0, granted.output
    public = make_app(public_url, QD_ROLE="public", CLOCK=lambda: clock["now"],
                      INSTANCE_PATH=str(tmp_path / "public-on-its-user"))
    return public, staff.config["DATABASE_URL"]


@pytest.fixture
def served(limited_public):
    """That instance behind a real HTTP server, a thread per request, each
    with its own database connection."""
    public, _ = limited_public
    server = make_server("127.0.0.1", 0, public, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def eight_at_once(base: str, reference: str, passphrase: str = WRONG) -> list[int]:
    """Eight clients, each with its own cookies and token, send their try at
    the same moment; their answers' status codes."""
    browsers = [Browser(base) for _ in range(8)]
    tokens = [browser.form("/return") for browser in browsers]
    results = at_once([
        lambda b=b, t=t: b.post("/return", {"go": "open", "reference": reference,
                                            "passphrase": passphrase}, t)
        for b, t in zip(browsers, tokens, strict=True)])
    return sorted(status for status, _ in results)


def one_try(base: str, reference: str, passphrase: str) -> int:
    browser = Browser(base)
    return browser.post("/return", {"go": "open", "reference": reference,
                                    "passphrase": passphrase}, browser.form("/return"))[0]


@pytest.mark.parametrize("known", [True, False], ids=["her reference", "unknown"])
def test_eight_wrong_tries_at_once_check_five_passphrases_at_most(
        limited_public, served, clock, derivations, known):
    public, owner_url = limited_public
    reference = reference_to_try(public.test_client(), known)
    derivations[0] = 0

    # Tries 1 to 4 fail; the fifth fails and shuts it; 6 to 8 are refused
    # unchecked. Which request gets which number is the database's to say.
    assert eight_at_once(served, reference) == [400] * 4 + [429] * 4
    assert derivations[0] == 5
    assert derivations[1] > 1  # they were checked at the same time, not one by one
    failures, shut_until = tries_of(owner_url, reference)
    assert failures == 8 and shut_until == clock["now"] + wayback.SHUT_FOR

    # Every further try is refused as shut, unchecked: the right passphrase too.
    assert eight_at_once(served, reference, PASSPHRASE) == [429] * 8
    clock["now"] += timedelta(minutes=59)
    assert one_try(served, reference, PASSPHRASE) == 429
    assert derivations[0] == 5
    assert tries_of(owner_url, reference) == (17, shut_until)

    clock["now"] += timedelta(minutes=2)  # the hour is over
    assert one_try(served, reference, PASSPHRASE) == (303 if known else 400)
    assert derivations[0] == 6


def test_through_gunicorn_the_tries_of_every_worker_count_as_one(limited_public, keys,
                                                                  tmp_path):
    """Production's shape: four worker processes, each with its own pool. The
    passphrases checked are not countable across processes; the answers and
    the count kept in the database are."""
    public, owner_url = limited_public
    reference, _ = send_with_way_back(Walker(public.test_client()))
    env = {"QD_INSTANCE_PATH": str(tmp_path / "served"), "QD_ROLE": "public",
           "DATABASE_URL": public.config["DATABASE_URL"], "QD_PUBLIC_KEY": keys["public"],
           "SECRET_KEY": "x" * 64, "RATELIMIT_ENABLED": "false"}
    with gunicorn(env, workers=4, quiet=True) as (base, _server):
        assert eight_at_once(base, reference) == [400] * 4 + [429] * 4
        failures, shut_until = tries_of(owner_url, reference)
        assert failures == 8 and shut_until is not None
        assert one_try(base, reference, PASSPHRASE) == 429

"""Helpers for the staff tests: an officer, signing in, posting a form."""

import functools
import re

import pyotp
from sqlalchemy import select

from tests.conftest import CSRF
from webapp import db
from webapp.rules import credentials as accounts
from webapp.staff.models import StaffUser
from webapp.staff.secret import key

PASSWORD = "a long pass phrase"
OFFICER = "officer@example.org"
REFERENCE_LINK = re.compile(r"/staff/referral/([A-Z0-9]{3}-[A-Z0-9]{3})\"")


def add_officer(app, email, clock, role="officer"):
    """An account as `flask staff create` makes it: its seed sealed."""
    with app.app_context():
        session = db.session()
        sealed = accounts.seal_seed(key(accounts.SEED_KEY), accounts.new_totp_secret())
        session.add(StaffUser(email=email, role=role,
                              password_hash=_password_hash(),
                              totp_secret=sealed, active=True,
                              failed_logins=0, created_at=clock["now"]))
        session.commit()


@functools.cache
def _password_hash() -> str:
    return accounts.hash_password(PASSWORD)


def secret(app, email=OFFICER):
    """The officer's one-time-code seed, as her authenticator app holds it."""
    with app.app_context():
        stored = db.session().scalar(select(StaffUser).where(StaffUser.email == email))
        return accounts.open_seed(key(accounts.SEED_KEY), stored.totp_secret)


def post(client, path, data):
    token = CSRF.search(client.get(path).get_data(as_text=True)).group(1)
    return client.post(path, data={"csrf_token": token, **data})


def sign_in(app, client, clock, password=PASSWORD, email=OFFICER):
    response = post(client, "/staff/login", {"email": email.title(), "password": password})
    if response.status_code != 302:
        return response
    code = pyotp.TOTP(secret(app, email)).at(clock["now"])
    return post(client, "/staff/login/code", {"code": code})


def form_token(page: str, prefix: str = "") -> str:
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)

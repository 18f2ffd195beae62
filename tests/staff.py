"""Helpers for the staff tests: an officer, signing in, posting a form."""

import re

import pyotp
from sqlalchemy import select

from tests.conftest import CSRF
from webapp import db
from webapp.rules import credentials as accounts
from webapp.staff.models import StaffUser

PASSWORD = "a long pass phrase"
OFFICER = "officer@example.org"
REFERENCE_LINK = re.compile(r"/staff/referral/([A-Z0-9]{3}-[A-Z0-9]{3})\"")


def add_officer(app, email, clock, role="officer"):
    with app.app_context():
        session = db.session()
        session.add(StaffUser(email=email, role=role,
                              password_hash=accounts.hash_password(PASSWORD),
                              totp_secret=accounts.new_totp_secret(), active=True,
                              failed_logins=0, created_at=clock["now"]))
        session.commit()


def secret(app, email=OFFICER):
    with app.app_context():
        return db.session().scalar(select(StaffUser).where(StaffUser.email == email)).totp_secret


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

"""The two ways the team hears: an email to the team mailbox, and a webhook
signed with HMAC. What they say is only that something arrived, is about to
breach or has news from the resident, its reference, and when it is due:
never what she wrote or changed. No Flask here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from webapp.notify.models import NEW, NEWS_BREACH, UPDATE, Notification
from webapp.rules import due as due_rules

TIMEOUT = 15  # seconds: a stuck server must not hold the worker


class ConfigProblem(ValueError):
    """A notification setting is wrong; the message says which."""


def wording(notification: Notification, team: str) -> tuple[str, str]:
    """(subject, body) in plain English for the team."""
    local = notification.due_at.astimezone(due_rules.LONDON)
    due = f"{local:%A} {local.day} {local:%B %H:%M}"  # "Tuesday 1 December 17:00"
    if notification.event == NEW:
        subject = f"New referral {notification.reference}, due {due}"
        body = (
            f"A new referral has arrived in the {team} queue.\n\n"
            f"Reference: {notification.reference}\nDue by: {due} (UK time)\n\n"
            "Open the staff queue to read it. This message holds no personal details "
            "on purpose.\n"
        )
    elif notification.event == UPDATE:
        subject = f"Referral {notification.reference} has news from the resident, due {due}"
        body = (
            f"The person behind referral {notification.reference} has been back in touch "
            f"through this site. Please deal with it by {due} (UK time).\n\n"
            "Open the referral in the staff queue to read it. This message holds no "
            "personal details on purpose.\n"
        )
    elif notification.event == NEWS_BREACH:
        subject = f"News on referral {notification.reference} is about to breach: due {due}"
        body = (
            f"The person behind referral {notification.reference} has been back in touch "
            f"through this site, no one has dealt with it yet, and it is due by {due} "
            "(UK time).\n\n"
            "Please open the referral in the staff queue now. This message holds no "
            "personal details on purpose.\n"
        )
    else:
        subject = f"Referral {notification.reference} is about to breach: due {due}"
        body = (
            f"No one has tried to contact the person behind referral "
            f"{notification.reference} yet, and it is due by {due} (UK time).\n\n"
            "Please pick it up in the staff queue now.\n"
        )
    return subject, body


@dataclass(frozen=True)
class Mail:
    """``smtp://host:port`` (STARTTLS when the server offers it), or
    ``smtps://user:password@host:port`` (TLS from the start)."""

    url: str
    to: tuple[str, ...]
    sender: str
    team: str = "Community Safety team"

    def __post_init__(self):
        parts = urlsplit(self.url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigProblem(
                "SMTP_URL must look like smtp://host:25 or smtps://user:password@host:465"
            )
        if not self.to:
            raise ConfigProblem("SMTP_URL is set but NOTIFY_EMAIL_TO is not: give the team mailbox")

    def __call__(self, notification: Notification) -> None:
        subject, body = wording(notification, self.team)
        message = EmailMessage()
        message["From"], message["To"] = self.sender, ", ".join(self.to)
        message["Subject"] = subject
        # The same id on a resend, so that a mail client shows it once.
        # The same on every resend of this notification, and different from any
        # other (ids repeat after a database is rebuilt; the creation time does not).
        domain = self.sender.rpartition("@")[2] or "localhost"
        made = f"{notification.created_at.timestamp():.6f}".replace(".", "")
        message["Message-ID"] = (
            f"<quietdoor-{notification.reference}-{notification.event}-{made}@{domain}>"
        )
        message.set_content(body)
        parts = urlsplit(self.url)
        context = ssl.create_default_context()
        if parts.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=TIMEOUT)
        with client:
            if parts.scheme == "smtp":
                client.ehlo()
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif parts.username:
                    # Never send the password in clear (someone in the middle can
                    # strip the STARTTLS offer): use smtps:// or a server with TLS.
                    raise ConnectionError(
                        "the mail server offers no STARTTLS; refusing to send the password in clear"
                    )
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)


@dataclass(frozen=True)
class Webhook:
    """A JSON POST; ``X-QuietDoor-Signature: sha256=<hex>`` is the HMAC-SHA256
    of ``<X-QuietDoor-Timestamp>.<body>`` with the shared secret."""

    url: str
    secret: str

    def __post_init__(self):
        if urlsplit(self.url).scheme not in ("https", "http"):
            raise ConfigProblem("NOTIFY_WEBHOOK_URL must be an http(s) address")
        if len(self.secret) < 16:
            raise ConfigProblem(
                "NOTIFY_WEBHOOK_SECRET must be set, 16 characters or more, "
                "when NOTIFY_WEBHOOK_URL is"
            )

    def __call__(self, notification: Notification) -> None:
        body = json.dumps(
            {
                "id": notification.id,
                "event": notification.event,
                "reference": notification.reference,
                "due_at": notification.due_at.isoformat(),
                "created_at": notification.created_at.isoformat(),
            }
        ).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310  (http(s) only, checked above)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "QuietDoor-notify",
                "X-QuietDoor-Timestamp": stamp,
                "X-QuietDoor-Signature": "sha256=" + sign(self.secret, stamp, body),
            },
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"webhook answered {response.status}")


def sign(secret: str, stamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def senders(environ, team: str) -> dict:
    """The channels configured in the environment, by name."""
    found = {}
    if environ.get("SMTP_URL"):
        to = tuple(a.strip() for a in environ.get("NOTIFY_EMAIL_TO", "").split(",") if a.strip())
        found["email"] = Mail(
            environ["SMTP_URL"], to, environ.get("NOTIFY_EMAIL_FROM") or "quietdoor@localhost", team
        )
    if environ.get("NOTIFY_WEBHOOK_URL"):
        found["webhook"] = Webhook(
            environ["NOTIFY_WEBHOOK_URL"], environ.get("NOTIFY_WEBHOOK_SECRET", "")
        )
    return found

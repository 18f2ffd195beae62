"""The content editor attacked (issue #17): as an intruder with a comms
account, a colleague's account, no account, or a public server's database
user would try, on running instances through the test client. Each test is
an attack; it passes when the attack fails."""

import re
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.content import publish_rows
from tests.integration.test_content_editor import (
    CAMPAIGN,
    COMMS,
    EDIT,
    audit_actions,
    draft_id,
    press,
    token,
    write,
)
from tests.staff import add_officer, sign_in
from webapp import db
from webapp.content.models import ContentVersion

THIRD = "third@example.org"
APPROVE = EDIT + "/approve"
PUBLIC = "/campaigns/safe-week"


@pytest.fixture
def team(site, clock):
    """26 November 2026, inside the campaign's dates; three comms users
    signed in: the first two may be an attacker and her victim."""
    clock["now"] = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    site.extensions["content"].interval = 0
    clients = []
    for email in (COMMS, "second@example.org", THIRD):
        add_officer(site, email, clock, role="comms")
        client = site.test_client()
        assert sign_in(site, client, clock, email=email).status_code == 302
        clients.append(client)
    return site, *clients


def approval_form(client):
    """What the approval page's Approve form sends, as the approver read it."""
    page = client.get(APPROVE).get_data(as_text=True)
    assert "Approve and publish" in page
    form = page[page.index('action="' + APPROVE) :]
    fields = dict(re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', form.split("</form>")[0]))
    return {**fields, "action": "approve"}


def crafted_approval(client, site):
    """An approval posted by hand, without the approval page's form."""
    data = {
        "csrf_token": token(client, "/staff/content/"),
        "action": "approve",
        "version": str(draft_id(site)),
    }
    return client.post(APPROVE, data=data)


def published_text(site, slug="safe-week", lang="en"):
    with site.app_context():
        version = db.session().scalar(
            select(ContentVersion).filter_by(
                kind="campaigns", slug=slug, lang=lang, state="published"
            )
        )
        return version and version.text


# Two-person approval.


def test_approval_publishes_only_the_text_the_approver_read(team):
    """The author changes her draft (and asks again) while the approver reads
    it: his Approve, pressed on what he read, must not publish what he did
    not (a helpline's number swapped for another)."""
    site, author, approver, _third = team
    assert write(author, action="submit").status_code == 302
    read = approval_form(approver)  # he reads the draft, with its number
    swapped = CAMPAIGN["body"] + "\n\nCall 0300 123 4567 any time."
    assert write(author, action="submit", body=swapped).status_code == 302
    pressed = approver.post(APPROVE, data=read)
    assert published_text(site) is None
    assert "changed while you were reading" in approver.get(pressed.headers["Location"]).get_data(
        as_text=True
    )
    # Read again, approved: what he read is what is published.
    assert approver.post(APPROVE, data=approval_form(approver)).status_code == 302
    assert "0300 123 4567" in published_text(site)


def test_the_approver_reads_a_hostile_change_as_text_with_the_swapped_digit_marked(team):
    """The words marked in a changed line are escaped like the rest: a
    draft's script is shown, never run, on the approval page (even one put
    up for approval by editing the database); and a number changed by one
    digit is marked where it changed."""
    site, author, approver, _third = team
    line = "Call 0808 2000 247 any time."
    assert write(author, action="submit", body=CAMPAIGN["body"] + "\n\n" + line).status_code == 302
    assert approver.post(APPROVE, data=approval_form(approver)).status_code == 302
    hostile = line.replace("247", "248 <script>alert(1)</script> &amp;")
    assert write(author, action="save", body=CAMPAIGN["body"] + "\n\n" + hostile).status_code == 302
    with site.app_context():  # asked for approval behind the site's back (it refuses to ask)
        session = db.session()
        session.get(ContentVersion, draft_id(site)).state = "waiting"
        session.commit()
    page = approver.get(APPROVE).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&amp;amp;" in page
    assert '<span class="diff-label">Removed:</span> Call 0808 2000 <mark>247</mark> any' in page
    added = page[page.index('<span class="diff-label">Added:</span> Call 0808 2000 <mark>248') :]
    assert added.split("</ins>")[0].count("<mark>") == 1  # one stretch, script and all
    assert "Approve and publish" not in page  # a draft with script can never be published


def test_approving_with_another_documents_version_id_is_refused(team):
    site, author, approver, _third = team
    write(author, action="submit")
    other = "/staff/content/campaigns/other-week/en"
    write(author, path=other, action="submit")
    read = approval_form(approver)
    crafted = {**read, "version": str(draft_id(site, "other-week"))}
    assert approver.post(APPROVE, data=crafted).status_code == 302
    assert published_text(site) is None and published_text(site, "other-week") is None


def test_the_author_cannot_approve_by_crafted_post_or_by_publish(team):
    site, author, approver, _third = team
    write(author, action="submit")
    read = approval_form(approver)  # the form as her colleague would get it
    read["csrf_token"] = token(author, "/staff/content/")
    assert author.post(APPROVE, data=read).status_code == 302
    assert write(author, action="publish").status_code == 302  # only saves
    assert published_text(site) is None


def test_editing_after_a_colleague_keeps_every_writer_from_approving(team):
    site, first, second, third = team
    write(first, action="submit")
    write(second, action="submit", title="Safe at Home Week 2026")
    write(first, action="submit", title="Safe at Home Week")
    for writer in (first, second):
        page = writer.get(APPROVE).get_data(as_text=True)
        assert "Approve and publish" not in page
        crafted_approval(writer, site)
        assert published_text(site) is None
    assert third.post(APPROVE, data=approval_form(third)).status_code == 302
    assert published_text(site) is not None


def test_a_restored_draft_keeps_its_writers_from_approving_it(team):
    """She writes a text nobody approved and discards it; a colleague
    restores that version as a favour: she must not then approve her own
    words as though he had written them."""
    site, author, colleague, third = team
    write(author, action="save", body=CAMPAIGN["body"] + "\n\nCall 0300 123 4567.")
    version = draft_id(site)
    write(author, action="discard")
    history = EDIT + "/history"
    assert (
        press(colleague, history, f"/staff/content/versions/{version}/restore").status_code == 302
    )
    write(colleague, action="submit", body=CAMPAIGN["body"] + "\n\nCall 0300 123 4567.")
    page = author.get(APPROVE).get_data(as_text=True)
    assert "another person must approve it" in page
    crafted_approval(author, site)
    assert published_text(site) is None
    # A third person may.
    assert third.post(APPROVE, data=approval_form(third)).status_code == 302
    assert published_text(site) is not None


def test_restoring_a_published_version_needs_approval_again(team):
    site, author, approver, _third = team
    write(author, action="submit")
    approver.post(APPROVE, data=approval_form(approver))
    write(author, action="submit", title="Changed")
    approver.post(APPROVE, data=approval_form(approver))
    first = min(v for v in version_ids(site))
    assert press(author, "/staff/content/", f"/staff/content/versions/{first}/restore")
    assert "Changed" in published_text(site)  # a restore is a draft, nothing more
    with site.app_context():
        assert db.session().get(ContentVersion, draft_id(site)).state == "draft"


def version_ids(site):
    with site.app_context():
        return list(db.session().scalars(select(ContentVersion.id).filter_by(slug="safe-week")))


# Roles, sign-in and cross-site requests.


def test_casework_roles_and_strangers_reach_no_editor_route(team, clock):
    site, author, _approver, _third = team
    write(author, action="submit")
    version = draft_id(site)
    gets = (
        "/staff/content/",
        "/staff/content/new",
        EDIT,
        EDIT + "/preview",
        EDIT + "/history",
        APPROVE,
        EDIT + "/unpublish",
        f"/staff/content/versions/{version}",
    )
    posts = (
        EDIT,
        APPROVE,
        EDIT + "/unpublish",
        f"/staff/content/versions/{version}/restore",
        "/staff/content/new",
    )
    for role in ("officer", "manager"):
        email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        add_officer(site, email, clock, role=role)
        client = site.test_client()
        sign_in(site, client, clock, email=email)
        tok = token(client, "/staff/")
        for path in gets:
            assert client.get(path).status_code == 403, (role, path)
        for path in posts:
            data = {**CAMPAIGN, "csrf_token": tok, "action": "approve", "version": str(version)}
            assert client.post(path, data=data).status_code == 403, (role, path)
    stranger = site.test_client()
    for path in gets:
        assert stranger.get(path).status_code == 302, path
    for path in posts:
        assert stranger.post(path, data=CAMPAIGN).status_code in (302, 400), path
    assert [a for _w, a, _d in audit_actions(site)] == ["content.create", "content.submit"]


def test_a_comms_user_sees_no_referral(team):
    _site, author, _approver, _third = team
    for path in ("/staff/", "/staff/find", "/staff/referral/ABC-DEF", "/staff/mine"):
        assert author.get(path).status_code == 403, path


def test_a_cross_site_post_saves_nothing(team):
    """The edit view checks its own token: another session's, an empty one,
    or one sent as a header, and a JSON body, all save nothing."""
    site, author, approver, _third = team
    theirs = token(approver, "/staff/content/")
    for data, headers in (
        ({**CAMPAIGN, "action": "submit", "csrf_token": theirs}, {}),
        ({**CAMPAIGN, "action": "submit", "csrf_token": ""}, {}),
        ({**CAMPAIGN, "action": "submit"}, {"X-CSRFToken": theirs}),
    ):
        response = author.post(EDIT, data=data, headers=headers)
        assert response.status_code == 400
    assert author.post(EDIT, json={**CAMPAIGN, "action": "submit"}).status_code == 400
    assert audit_actions(site) == []


# What reaches a public page.


def test_an_image_cannot_make_a_residents_browser_leave_or_act(team):
    """An image loads by itself: one at /exit would throw away the request
    a resident is writing (and her way back visit) as she reads the page."""
    _site, author, _approver, _third = team
    for hostile in (
        "![Safe](/exit)",
        '<img src="/exit" alt="Safe">',
        "![x](/ask/questions)",
        "![x](/static/../exit)",
        "![x](/static/%2e%2e/exit)",
    ):
        body = CAMPAIGN["body"] + "\n\n" + hostile
        html = write(author, action="preview", body=body).get_data(as_text=True)
        assert "This cannot be published yet" in html, hostile
        assert 'src="/exit"' not in html and '/ask/questions"' not in html
    fine = CAMPAIGN["body"] + "\n\n![The logo](/static/favicon.ico)"
    html = write(author, action="preview", body=fine).get_data(as_text=True)
    assert "This cannot be published yet" not in html


def test_a_phone_number_inside_an_attribute_cannot_open_a_tag(team):
    """Numbers become tap-to-call links after sanitising: one inside an
    alt or title (where > may appear) must not break the attribute open."""
    from webapp.content import render

    for hostile in (
        '<img alt="x &gt; 0808 2000 247 &lt;iframe src=https://evil.example&gt;" src="/a.png">',
        '[a](/ask "&lt;/a&gt; 0808 2000 247 &lt;form action=https://evil.example&gt;")',
    ):
        html = render.markdown(hostile).html
        assert "<iframe" not in html and "<form" not in html
        assert html.count("<") == html.count(">")


def test_hostile_rows_in_the_database_take_no_public_page_down(team):
    """Published rows written behind the site's back (a restore from a
    backup, a hand-made fix): each is left out, every page still answers."""
    site, author, approver, _third = team
    write(author, action="submit")
    approver.post(APPROVE, data=approval_form(approver))
    bomb = "\n".join(
        ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        + [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
            for i in range(8)
        ]
    )
    rows = [
        ("pages", "bomb-page", "en", f"---\n{bomb}\ntitle: x\nsummary: y\n---\nText"),
        ("pages", "tag-page", "en", "---\ntitle: !!python/object/apply:os.system [id]\n---\nx"),
        ("pages", "BAD SLUG", "en", "---\ntitle: a\nsummary: b\n---\nx"),
        ("pages", "no-close", "en", "---\ntitle: a\n"),
        ("pages", "big-page", "en", "---\ntitle: a\nsummary: b\n---\n" + "x " * 500_000),
        ("pages", "nation-page", "en", "---\ntitle: a\nsummary: b\n---\nx {nation: mars}\n"),
        ("pages", "hole-page", "en", "---\ntitle: '{nope}'\nsummary: b\n---\n{team_phone"),
        (
            "pages",
            "html-page",
            "en",
            "---\ntitle: a\nsummary: b\norder: 1\n---\n<script>x</script>",
        ),
        ("campaigns", "when-page", "en", "---\ntitle: a\nsummary: b\npublish_from: 0\n---\nx"),
        ("other", "odd-kind", "en", "---\ntitle: a\n---\nx"),
        ("pages", "odd-lang", "xx-evil", "---\ntitle: a\nsummary: b\n---\nx"),
    ]
    publish_rows(site, rows)
    public = site.test_client()
    for path in ("/", "/cy/", PUBLIC, "/campaigns/", "/clares-law", "/help-near-you"):
        assert public.get(path).status_code == 200, path
    for path in ("/bomb-page", "/tag-page", "/html-page", "/campaigns/when-page"):
        assert public.get(path).status_code == 404, path
    assert author.get("/staff/content/").status_code == 200  # the editor's list too


def test_a_nul_byte_in_the_text_is_refused_not_a_server_error(team):
    site, author, _approver, _third = team
    response = write(author, action="save", body="Before\x00after")
    assert response.status_code == 400
    assert audit_actions(site) == []


def test_bidi_overrides_are_refused(team):
    """U+202E reverses what follows: a diff would show an approver one
    number while the page dials another."""
    _site, author, _approver, _third = team
    for fields in (
        {"body": CAMPAIGN["body"] + "\n\nCall \u202e742 0002 8080\u202c."},
        {"title": "Safe\u202e week"},
    ):
        html = write(author, action="preview", **fields).get_data(as_text=True)
        assert "This cannot be published yet" in html, fields


# The public database user.


def test_the_public_database_user_reads_only_published_content(instances, clock):
    psycopg = pytest.importorskip("psycopg")
    _public, staff = instances
    url = staff.config["DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("database users are PostgreSQL's; SQLite has none")
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    name = "qd_public_" + uuid.uuid4().hex[:8]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
    try:
        granted = staff.test_cli_runner().invoke(args=["db", "grant-public", name])
        assert granted.exit_code == 0, granted.output
        with psycopg.connect(admin.replace("postgres@", f"{name}@", 1), autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM published_content").fetchone()[0] > 0
            assert conn.execute("SELECT value FROM content_serial").fetchone()[0] >= 1
            for statement in (
                "SELECT text FROM content_version",
                "SELECT authors FROM published_content",
                "UPDATE published_content SET text = 'x'",
                "DELETE FROM published_content",
                "INSERT INTO content_version (kind) VALUES ('pages')",
                "UPDATE content_serial SET value = 0",
            ):
                with pytest.raises(
                    (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedColumn)
                ):
                    conn.execute(statement)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")


# The audit log, and taking down.


def test_every_change_is_audited_by_its_actor_and_no_text(team):
    site, author, approver, third = team
    secret = "A sentence only the body holds"
    body = CAMPAIGN["body"] + "\n\n" + secret
    write(author, action="save", body=body)
    write(author, action="save", body=body + ".")
    write(author, action="submit", body=body + ".")
    approver.post(APPROVE, data={**approval_form(approver), "action": "send_back"})
    write(author, action="submit", body=body + "!")
    approver.post(APPROVE, data=approval_form(approver))
    write(third, action="save", title="Another")
    write(third, action="discard")
    first = min(version_ids(site))
    press(third, "/staff/content/", f"/staff/content/versions/{first}/restore")
    press(approver, EDIT + "/unpublish", EDIT + "/unpublish")
    entries = audit_actions(site)
    assert [(who, what) for who, what, _d in entries] == [
        (COMMS, "content.create"),
        (COMMS, "content.edit"),
        (COMMS, "content.submit"),
        ("second@example.org", "content.send_back"),
        (COMMS, "content.edit"),
        (COMMS, "content.submit"),
        ("second@example.org", "content.approve"),
        (THIRD, "content.edit"),
        (THIRD, "content.discard"),
        (THIRD, "content.restore"),
        ("second@example.org", "content.unpublish"),
    ]
    assert all(secret not in detail and "Safe at Home" not in detail for *_x, detail in entries)


def test_taking_down_never_publishes_the_open_draft(team):
    site, author, approver, _third = team
    write(author, action="submit")
    approver.post(APPROVE, data=approval_form(approver))
    write(author, action="submit", title="Not approved yet")
    assert press(author, EDIT + "/unpublish", EDIT + "/unpublish").status_code == 302
    assert published_text(site) is None
    assert site.test_client().get(PUBLIC).status_code == 404
    with site.app_context():
        assert db.session().get(ContentVersion, draft_id(site)).state == "waiting"


def test_an_edit_racing_an_approval_never_unpublishes_it(team):
    """PostgreSQL: the author saves while the approval is being committed.
    Her save must make a new draft, not turn the version just published
    back into a draft (taking the page down, unaudited)."""
    import threading
    import time

    from webapp.staff import publishing

    site, author, _approver, _third = team
    if not site.config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    write(author, action="submit")
    version, at = draft_id(site), datetime(2026, 11, 26, 9, 5, tzinfo=UTC)
    factory = site.extensions["db_session"].session_factory
    approving, saving = factory(), factory()
    text = approving.get(ContentVersion, version).text
    checked = publishing.Checked(
        publishing.parse_text("safe-week.en.md", text, "campaigns"), [], []
    )
    with site.app_context():
        publishing.approve(approving, version, "second@example.org", at, True, checked)

    def save():
        with site.app_context():
            publishing.save_draft(saving, "campaigns", "safe-week", "en", text + "x", COMMS, at)
            saving.commit()

    racing = threading.Thread(target=save)
    racing.start()
    time.sleep(0.5)  # her save waits on the approval's locks
    with site.app_context():
        approving.commit()
    racing.join(10)
    approving.close(), saving.close()
    assert published_text(site) == text
    with site.app_context():
        assert db.session().get(ContentVersion, draft_id(site)).text == text + "x"

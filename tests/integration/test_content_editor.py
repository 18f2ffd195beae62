"""The comms team's editor at /staff/content/ (issue #17): two comms users
write, preview, ask for approval, approve, restore and take down a campaign,
through the test client, on SQLite and (with TEST_POSTGRES_URL) PostgreSQL.
Nothing hostile typed into the editor ever reaches a public page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.staff import add_officer, sign_in
from webapp import db
from webapp.staff.models import AuditEntry

COMMS, SECOND = "comms@example.org", "second@example.org"
CAMPAIGN = {
    "title": "Safe at Home Week",
    "summary": "A week about staying safe at home.",
    "publish_from": "2026-11-25",
    "publish_until": "2026-11-30",
    "banner": "Safe at Home Week: read what we can do",
    "review_by": "",
    "body": "## What we do\n\nRead [Clare's Law](/clares-law) or [ask for help](/ask).\n\n"
    "Call {team_phone}.",
}
EDIT = "/staff/content/campaigns/safe-week/en"


@pytest.fixture
def editor(site, clock):
    """The site on 26 November 2026 (the campaign's dates: 25 to 30
    November), and two comms users signed in."""
    clock["now"] = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    site.extensions["content"].interval = 0  # the public side sees every publication at once
    add_officer(site, COMMS, clock, role="comms")
    add_officer(site, SECOND, clock, role="comms")
    first, second = site.test_client(), site.test_client()
    assert sign_in(site, first, clock, email=COMMS).status_code == 302
    assert sign_in(site, second, clock, email=SECOND).status_code == 302
    return site, first, second


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def token(client, path):
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def write(client, path=EDIT, action="save", **changes):
    data = {**CAMPAIGN, **changes, "action": action, "csrf_token": token(client, path)}
    return client.post(path, data=data)


def press(client, page_path, form_action, **data):
    """Press a button of a form on the page at ``page_path``."""
    return client.post(form_action, data={"csrf_token": token(client, page_path), **data})


def draft_id(site, slug="safe-week", lang="en"):
    from webapp.staff import publishing

    with site.app_context():
        return publishing.open_draft(db.session(), "campaigns", slug, lang).id


def audit_actions(site):
    with site.app_context():
        return [
            (e.actor, e.action, e.detail)
            for e in db.session().scalars(
                select(AuditEntry)
                .where(AuditEntry.action.like("content.%"))
                .order_by(AuditEntry.id)
            )
        ]


def approve(site, client, slug="safe-week", lang="en", action="approve"):
    """Press Approve (or Send back), with a token from the list: the
    approval page has no Approve button for an author or a broken draft."""
    from webapp.content.models import ContentVersion
    from webapp.rules.publishing import digest

    page = f"/staff/content/campaigns/{slug}/{lang}/approve"
    version = draft_id(site, slug, lang)
    with site.app_context():
        read = digest(db.session().get(ContentVersion, version).text)  # as the page shows it
    return press(client, "/staff/content/", page, action=action, version=str(version), read=read)


def test_two_comms_users_publish_a_campaign_and_it_goes_live_on_its_date(editor, clock):
    site, first, second = editor
    public = site.test_client()
    # New: kind and address, then the English.
    new = press(
        first, "/staff/content/new", "/staff/content/new", kind="campaigns", slug="safe-week"
    )
    assert new.headers["Location"] == EDIT
    assert first.get(EDIT).status_code == 200
    # Preview before saving: as residents read it, with the quick exit and 999.
    preview = write(first, action="preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<h1>Safe at Home Week</h1>" in html and 'id="quick-exit"' in html
    assert "999" in html and 'href="tel:08081570192"' in html  # {team_phone} filled in
    assert 'class="resident-page" lang="en" dir="ltr"' in html
    assert 'name="body" value="## What we do' in html  # what was typed comes back
    # Ask for approval: saved and waiting.
    asked = write(first, action="submit", publish_from="2026-12-01", publish_until="2026-12-07")
    assert asked.status_code == 302
    listing = first.get("/staff/content/").get_data(as_text=True)
    assert "Safe at Home Week" in listing and "Waiting for approval" in listing
    assert "Waiting for your approval" not in listing  # her own change
    # The author may not approve: she is told why, and a POST is refused.
    own = first.get("/staff/content/campaigns/safe-week/en/approve").get_data(as_text=True)
    assert "another person must approve it" in own and "Approve and publish" not in own
    refused = approve(site, first)
    assert refused.status_code == 302
    assert "another person must approve it" in first.get(refused.headers["Location"]).get_data(
        as_text=True
    )
    assert public.get("/campaigns/safe-week").status_code == 404
    # The second user sees it waiting, with what changed, and approves it.
    waiting = second.get("/staff/content/").get_data(as_text=True)
    assert "Waiting for your approval" in waiting
    assert 'href="/staff/content/campaigns/safe-week/en/approve"' in waiting
    page = second.get("/staff/content/campaigns/safe-week/en/approve").get_data(as_text=True)
    assert '<ins><span class="diff-label">Added:</span> title: Safe at Home Week</ins>' in page
    assert COMMS in page
    assert approve(site, second).status_code == 302
    # Scheduled: not yet shown; on its first day, shown with its banner.
    assert "Scheduled" in second.get("/staff/content/").get_data(as_text=True)
    assert public.get("/campaigns/safe-week").status_code == 404
    clock["now"] = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert "<h1>Safe at Home Week</h1>" in public.get("/campaigns/safe-week").get_data(as_text=True)
    assert "Safe at Home Week: read what we can do" in public.get("/").get_data(as_text=True)
    # Every step is in the audit log, by who did it.
    actions = [(actor, action) for actor, action, _detail in audit_actions(site)]
    assert actions == [
        (COMMS, "content.create"),
        (COMMS, "content.submit"),
        (SECOND, "content.approve"),
    ]


def test_a_typo_fixed_is_approved_then_the_earlier_version_restored(editor, clock):
    site, first, second = editor
    public = site.test_client()
    write(first, action="submit", title="Safe at Hoem Week")
    approve(site, second)
    assert "<h1>Safe at Hoem Week</h1>" in public.get("/campaigns/safe-week").get_data(as_text=True)
    write(first, action="submit")
    diff = second.get("/staff/content/campaigns/safe-week/en/approve").get_data(as_text=True)
    # The line, and in it the word that differs.
    assert (
        '<del><span class="diff-label">Removed:</span> title: Safe at <mark>Hoem</mark> Week</del>'
        in diff
    )
    assert (
        '<ins><span class="diff-label">Added:</span> title: Safe at <mark>Home</mark> Week</ins>'
        in diff
    )
    approve(site, second)
    assert "<h1>Safe at Home Week</h1>" in public.get("/campaigns/safe-week").get_data(as_text=True)
    history = first.get("/staff/content/campaigns/safe-week/en/history").get_data(as_text=True)
    assert "Replaced" in history and "Published" in history and SECOND in history
    first_version = int(re.findall(r"/staff/content/versions/(\d+)\"", history)[-1])
    shown = first.get(f"/staff/content/versions/{first_version}").get_data(as_text=True)
    assert "title: Safe at Hoem Week" in shown
    restored = press(
        first,
        "/staff/content/campaigns/safe-week/en/history",
        f"/staff/content/versions/{first_version}/restore",
    )
    assert restored.headers["Location"] == EDIT
    assert 'value="Safe at Hoem Week"' in first.get(EDIT).get_data(as_text=True)
    # A restored version is a draft: the public page is unchanged until approved.
    assert "<h1>Safe at Home Week</h1>" in public.get("/campaigns/safe-week").get_data(as_text=True)
    actions = [action for _actor, action, _detail in audit_actions(site)]
    assert actions[-1] == "content.restore"


def test_one_person_publishes_when_two_person_publishing_is_off(make_app, clock, tmp_path):
    clock["now"] = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    site = make_app(CLOCK=lambda: clock["now"], SITE={"two_person_publishing": False})
    db.upgrade(site.extensions["db_engine"])
    site.extensions["content"].interval = 0
    add_officer(site, COMMS, clock, role="comms")
    client = site.test_client()
    sign_in(site, client, clock, email=COMMS)
    form = client.get(EDIT).get_data(as_text=True)
    assert 'value="publish"' in form and "Ask for approval" not in form
    assert write(client, action="publish").status_code == 302
    assert "<h1>Safe at Home Week</h1>" in site.test_client().get("/campaigns/safe-week").get_data(
        as_text=True
    )
    assert [a for _who, a, _d in audit_actions(site)] == ["content.create", "content.approve"]


def test_taking_the_english_down_takes_every_language_down(editor, clock):
    site, first, second = editor
    public = site.test_client()
    write(first, action="submit")
    approve(site, second)
    welsh = "/staff/content/campaigns/safe-week/cy"
    assert 'value="Safe at Home Week"' in first.get(welsh).get_data(as_text=True)  # pre-filled
    write(
        first, path=welsh, action="submit", title="Wythnos Diogel", publish_from="2030-01-01"
    )  # a translation's dates are its English's, whatever is sent
    approve(site, second, lang="cy")
    assert "<h1>Wythnos Diogel</h1>" in public.get("/cy/campaigns/safe-week").get_data(as_text=True)
    confirm = first.get("/staff/content/campaigns/safe-week/en/unpublish").get_data(as_text=True)
    assert "every translation down at once" in confirm
    taken = press(
        first,
        "/staff/content/campaigns/safe-week/en/unpublish",
        "/staff/content/campaigns/safe-week/en/unpublish",
    )
    assert taken.status_code == 302
    assert public.get("/campaigns/safe-week").status_code == 404
    assert public.get("/cy/campaigns/safe-week").status_code == 404
    unpublished = [d for _who, a, d in audit_actions(site) if a == "content.unpublish"]
    assert len(unpublished) == 2


def test_translations_at_a_glance_show_what_is_older_than_the_english(editor, clock):
    site, first, second = editor
    write(first, action="submit")
    approve(site, second)
    write(
        first, path="/staff/content/campaigns/safe-week/cy", action="submit", title="Wythnos Diogel"
    )
    approve(site, second, lang="cy")
    write(first, path="/staff/content/campaigns/safe-week/pl", action="save", title="Tydzień")

    def marks(lang):
        listing = first.get("/staff/content/").get_data(as_text=True)
        row = listing[listing.index("Safe at Home Week") :]
        row = row[: row.index("</tr>")]
        groups = re.findall(r"<li>(?:<details><summary>)?<span[^>]*>([^<]+)</span>(.*?)</li>", row,
                            re.S)
        return [mark for mark, links in groups if f'/safe-week/{lang}"' in links]

    assert marks("cy") == ["Published"]
    assert marks("pl") == ["Draft"]
    assert marks("ar") == ["Missing"]
    clock["now"] += timedelta(minutes=1)
    write(first, action="submit", summary="A week about being safe at home.")
    approve(site, second)
    assert marks("cy") == ["Older than the English"]


def test_officers_are_refused_and_so_is_a_post_without_its_token(editor, clock):
    site, first, _second = editor
    officer = site.test_client()
    sign_in(site, officer, clock)
    for path in ("/staff/content/", EDIT, "/staff/content/new"):
        assert officer.get(path).status_code == 403, path
    assert site.test_client().get("/staff/content/").status_code == 302  # to sign in
    forged = first.post(EDIT, data={**CAMPAIGN, "action": "save"})
    assert forged.status_code == 400  # nothing saved; what was typed is shown again
    assert 'value="Safe at Home Week"' in forged.get_data(as_text=True)
    assert "open for a long time" in forged.get_data(as_text=True)
    for action in ("submit", "discard", "publish"):
        assert first.post(EDIT, data={**CAMPAIGN, "action": action}).status_code == 400
    stale = first.post(EDIT, data={**CAMPAIGN, "action": "save", "csrf_token": "stale"})
    assert stale.status_code == 400
    restore = first.post("/staff/content/versions/1/restore")
    assert restore.status_code == 400  # every other POST: the global check
    assert audit_actions(site) == []


def test_friendly_errors_keep_everything_typed(editor):
    _site, first, _second = editor
    response = write(
        first,
        title="",
        publish_from="31/11/2026",
        publish_until="2026-11-01",
        body="Keep this text",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the title" in html and "Enter a real date, like 2026-11-25" in html
    assert 'href="#title"' in html  # the summary links to the field
    assert 'value="31/11/2026"' in html and "Keep this text</textarea>" in html
    taken = press(
        first, "/staff/content/new", "/staff/content/new", kind="pages", slug="clares-law"
    )
    assert "already used" in taken.get_data(as_text=True)
    own = press(first, "/staff/content/new", "/staff/content/new", kind="pages", slug="ask")
    assert "one of the site&#39;s own pages" in own.get_data(as_text=True)
    bad = press(first, "/staff/content/new", "/staff/content/new", kind="pages", slug="A b")
    assert bad.status_code == 400


def test_problems_are_shown_by_the_field_they_belong_to(editor):
    _site, first, _second = editor
    body = "Fine line\n\nSee [nowhere](/no-such-place)."
    html = write(first, action="preview", body=body).get_data(as_text=True)
    assert "Text: Line 3 of the text: the link /no-such-place goes to no page" in html
    submitted = write(first, action="submit", body=body)
    assert submitted.status_code == 400
    page = submitted.get_data(as_text=True)
    assert "Saved as a draft" in page
    assert re.search(r'id="body-error">.*Line 3 of the text', page)


HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example/"><input name=q></form>',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    "![](https://evil.example/x.png)",
]


@pytest.mark.parametrize("hostile", HOSTILE_BODIES)
def test_a_hostile_body_is_inert_in_the_preview_and_never_published(editor, clock, hostile):
    site, first, second = editor
    body = CAMPAIGN["body"] + "\n\n" + hostile
    preview = write(first, action="preview", body=body)
    html = preview.get_data(as_text=True)  # the client checked it: no script, load or style
    assert preview.status_code == 200
    assert "This cannot be published yet" in html and "unsafe or unsupported" in html
    for raw in (
        "<script>",
        "<iframe",
        "<style>body",
        'action="https://evil',
        "<link rel=s",
        "<img src=x",
        'href="javascript',
    ):
        assert raw not in html
    asked = write(first, action="submit", body=body)
    assert asked.status_code == 400  # kept as a draft, never sent for approval
    assert approve(site, second).status_code == 302  # and approval refuses it
    assert [a for _w, a, _d in audit_actions(site)] == ["content.create"]
    public = site.test_client().get("/campaigns/safe-week")
    assert public.status_code == 404


HOSTILE_FIELDS = [
    # (the fields typed, what residents read of the title, banner or summary)
    ({"title": "</title><script>alert(1)</script>"}, "&lt;/title&gt;&lt;script&gt;"),
    ({"banner": "<b onmouseover=alert(1)>Look</b><script>x</script>"}, "&lt;b onmouseover"),
    ({"title": "!!python/object/apply:os.system ['echo pwned']"}, "!!python/object/apply"),
    ({"summary": "x\n---\n<script>alert(1)</script>\n---"}, "x --- &lt;script&gt;"),
    ({"title": "{organisation} & <img src=x onerror=alert(1)>"}, "&amp; &lt;img src=x"),
]


@pytest.mark.parametrize(("hostile", "shown"), HOSTILE_FIELDS)
def test_hostile_front_matter_is_only_ever_text(editor, hostile, shown):
    """Front-matter values are written as YAML strings (never tags, never a
    second document) and shown escaped: in the preview and, once approved,
    on the public pages (the client checks each page: no inline script)."""
    site, first, second = editor
    assert write(first, action="submit", **hostile).status_code == 302
    preview = first.get("/staff/content/campaigns/safe-week/en/preview").get_data(as_text=True)
    assert "<script>alert" not in preview and "<img src=x" not in preview
    assert approve(site, second).status_code == 302
    public = site.test_client()
    pages = [
        public.get(path).get_data(as_text=True)
        for path in ("/campaigns/safe-week", "/", "/campaigns/")
    ]
    assert any(shown in html for html in pages)
    for html in pages:
        assert "<script>alert" not in html and "<b onmouseover" not in html
        assert "<img src=x" not in html


def test_a_multi_line_title_cannot_start_a_second_yaml_document(editor):
    _site, first, _second = editor
    refused = write(first, action="submit", title="---\ntitle: other")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Keep this to one line" in html and 'value="---\ntitle: other"' in html


def test_a_broken_draft_is_refused_at_approval(editor, clock):
    """Even one that reached "waiting" by another way (the database, an older
    version of the site): approval checks it again."""
    site, first, second = editor
    write(first, action="submit")
    from webapp.content.models import ContentVersion

    with site.app_context():
        session = db.session()
        draft = session.get(ContentVersion, draft_id(site))
        draft.text = draft.text + "\n<script>alert(1)</script>\n"
        session.commit()
    page = second.get("/staff/content/campaigns/safe-week/en/approve").get_data(as_text=True)
    assert "This cannot be published yet" in page and "Approve and publish" not in page
    refused = approve(site, second)
    assert "problems" in second.get(refused.headers["Location"]).get_data(as_text=True)
    assert [a for _w, a, _d in audit_actions(site)][-1] == "content.submit"
    clock["now"] = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert site.test_client().get("/campaigns/safe-week").status_code == 404


def test_an_arabic_preview_reads_right_to_left(editor, clock):
    site, first, second = editor
    write(first, action="submit")
    approve(site, second)
    arabic = "/staff/content/campaigns/safe-week/ar"
    write(first, path=arabic, action="save", title="أسبوع الأمان في المنزل")
    html = first.get(arabic + "/preview").get_data(as_text=True)
    assert 'class="resident-page" lang="ar" dir="rtl"' in html
    assert "<h1>أسبوع الأمان في المنزل</h1>" in html
    assert 'lang="ar" dir="rtl"' in first.get(arabic).get_data(as_text=True)  # the inputs


def test_a_staff_instance_checks_links_against_the_public_site_and_publishes_to_it(
    instances, clock
):
    """In production the editor runs on a staff instance, which serves none of
    the public addresses: links to /ask and /clares-law are still good, /ask
    is still taken, and a public instance shows what is approved."""
    public, staff = instances
    clock["now"] = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    public.extensions["content"].interval = 0
    add_officer(staff, COMMS, clock, role="comms")
    add_officer(staff, SECOND, clock, role="comms")
    first, second = staff.test_client(), staff.test_client()
    sign_in(staff, first, clock, email=COMMS)
    sign_in(staff, second, clock, email=SECOND)
    own = press(first, "/staff/content/new", "/staff/content/new", kind="pages", slug="ask")
    assert "one of the site&#39;s own pages" in own.get_data(as_text=True)
    # The public instance runs on the real clock: live from yesterday, with no end.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    asked = write(first, action="submit", publish_from=yesterday, publish_until="")
    assert asked.status_code == 302
    assert approve(staff, second).status_code == 302
    page = public.test_client().get("/campaigns/safe-week").get_data(as_text=True)
    assert "<h1>Safe at Home Week</h1>" in page and 'href="/clares-law"' in page


def test_signed_out_while_writing_her_text_is_given_back_and_saved_after_signing_in(
        editor, clock):
    """Longer than the idle limit over one campaign: the post gives back
    what she typed (and nothing from the database), she signs in again, and
    her text is saved; after signing out on purpose nothing is given back."""
    site, first, _ = editor
    body = "## Winter\n\nA long text written slowly, every word of it kept."
    old = token(first, EDIT)
    clock["now"] += timedelta(minutes=site.config["SITE"].staff_idle_minutes + 1)
    data = {**CAMPAIGN, "body": body, "action": "save", "csrf_token": old}
    kept = first.post(EDIT, data=data)
    page = kept.get_data(as_text=True)
    assert kept.status_code == 200 and "You were signed out: nothing was saved" in page
    assert "A long text written slowly, every word of it kept." in page
    assert CAMPAIGN["banner"] in page
    assert "History" not in page and "Queue" not in page  # nothing of the staff site
    assert audit_actions(site) == []  # nothing saved, nothing done

    assert sign_in(site, first, clock, email=COMMS).status_code == 302
    again = first.post(EDIT, data=data)  # the token of the old session
    assert again.status_code == 400 and "every word of it kept" in again.get_data(as_text=True)
    saved = first.post(EDIT, data={**data, "csrf_token": token(first, EDIT)})
    assert saved.status_code == 302
    assert "every word of it kept" in first.get(EDIT).get_data(as_text=True)

    signed_out = press(first, "/staff/content/", "/staff/logout")
    assert signed_out.status_code == 302
    after = first.post(EDIT, data={**data, "csrf_token": old})
    assert after.status_code in (302, 400)
    assert "every word of it kept" not in after.get_data(as_text=True)
    stranger = site.test_client().post(EDIT, data=data)
    assert "every word of it kept" not in stranger.get_data(as_text=True)

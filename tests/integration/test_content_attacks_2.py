"""The content editor attacked again (after tests/integration/test_content_attacks.py):
the approval page's word diff, what an approver reads against what residents
read, and limits. Each test is an attack; it passes when the attack fails.
The slow ones are cut short by an alarm, so a failure takes seconds, not hours."""

import signal
import time
from contextlib import contextmanager

from tests.integration import test_content_attacks as first_round
from tests.integration.test_content_attacks import APPROVE, approval_form
from tests.integration.test_content_editor import CAMPAIGN, write

team = first_round.team  # the fixture: three comms users signed in

PUBLIC = "/campaigns/safe-week"


@contextmanager
def at_most(seconds):
    """Raise TimeoutError in the test's own thread after ``seconds``: the
    request is pure Python, so the alarm stops it where it is."""

    def stop(*_args):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    outer, _interval = signal.setitimer(signal.ITIMER_REAL, seconds)  # pytest-timeout's, if set
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # give pytest-timeout its alarm back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.01))


def published_then_changed(team, old, new):
    """``old`` published (by two people), ``new`` waiting for approval."""
    _site, author, approver, _third = team
    assert write(author, action="submit", body=old).status_code == 302
    assert approver.post(APPROVE, data=approval_form(approver)).status_code == 302
    assert write(author, action="submit", body=new).status_code == 302


def approval_page_time(approver, limit):
    """Seconds the approval page took; ``limit`` when the alarm stopped it
    (Flask answers that with a 500)."""
    start = time.perf_counter()
    try:
        with at_most(limit):
            response = approver.get(APPROVE)
    except TimeoutError:
        return limit
    took = time.perf_counter() - start
    assert response.status_code == 200 or took >= limit, response.status_code
    return took


# Denial of service: the approval page's diff.


def test_a_rewrite_with_empty_lines_between_its_lines_does_not_stall_the_approval_page(team):
    """difflib.SequenceMatcher with autojunk=False on lines where the empty
    line is common (as between every paragraph of Markdown) is worse than
    quadratic: a 5 KB draft of one-letter lines between empty lines keeps
    the approval page (a gunicorn worker) busy for three minutes; one of
    the 64 KB the editor accepts, for days. Every approver who opens it
    pins a worker until gunicorn's 30 s timeout kills it, and the draft
    can never be approved."""
    _site, _author, approver, _third = team
    published_then_changed(team, "x\n\n" * 1000, "y\n\n" * 1000)
    assert approval_page_time(approver, 10) < 2


def test_an_ordinary_rewrite_of_a_long_page_does_not_stall_the_approval_page(team):
    """No attack needed: a long page (600 paragraphs, 40 KB) rewritten
    from top to bottom, as for a new year's campaign, takes about 9 s;
    59 KB, 45 s (past gunicorn's 30 s timeout: never approvable)."""
    _site, _author, approver, _third = team
    old = "\n\n".join(f"Paragraph {i} of the old text, which says something." for i in range(600))
    new = "\n\n".join(
        f"Paragraph {i} of the new text, rewritten for this year." for i in range(600)
    )
    published_then_changed(team, old, new)
    assert approval_page_time(approver, 20) < 2


def test_one_long_line_changed_by_a_word_does_not_stall_the_approval_page(team):
    """changed_words compares a changed line word by word, with
    autojunk=False: a 20 KB line (one paragraph pasted without breaks),
    changed by one word, takes about 5 s; the longest the editor accepts
    (65 KB), over a minute."""
    _site, _author, approver, _third = team
    old = ("help is here " * 1600).strip()
    new = old[: len(old) // 2] + " changed " + old[len(old) // 2 :]
    published_then_changed(team, old, new)
    assert approval_page_time(approver, 10) < 2


# What the approver reads against what residents read.


def test_an_invisible_right_to_left_mark_cannot_show_the_approver_another_number(team):
    """U+202A to U+202E are refused, but U+200F (the right-to-left mark)
    and U+2067/U+2068 (right-to-left and first-strong isolates) reorder a
    number too: in the approval page's diff (plain text, left to right)
    ``Call RLM 0161 496 0808`` reads "Call 0808 496 0161", a freephone
    number; on the public page the number is a tel: link with dir="ltr"
    (an isolate), so residents read, and dial, 0161 496 0808. The approver
    approves one number, residents get another."""
    _site, author, approver, _third = team
    for n, hidden in enumerate(("\u200f0161 496 0808", "\u20670161 496 0808\u2069")):
        body = CAMPAIGN["body"] + f"\n\nFree and confidential: call {hidden} ({n})."
        assert write(author, action="submit", body=body).status_code == 302
        page = approver.get(APPROVE).get_data(as_text=True)
        diff = page[page.index('<ol class="diff"') : page.index("</ol>")]
        invisible_in_diff = "\u200f0161" in diff or "\u20670161" in diff
        assert not (invisible_in_diff and "Approve and publish" in page), hidden
        # Shown by name instead, in the order residents read the number.
        named = "\u27e8U+200F\u27e9" if n == 0 else "\u27e8U+2067\u27e9"
        assert f"{named}0161 496 0808" in diff
        write(author, action="discard")


# Safeguards that can be walked round.


def test_a_premium_rate_number_cannot_be_linked_behind_a_dialling_prefix(team):
    """The check refuses tel:09... and +44 9..., but not the same number
    behind the UK's withhold-my-number prefix 141 (the network dials the
    rest), nor with a separator it does not strip ("/", which a dialler
    drops), nor written in full-width digits."""
    _site, author, _approver, _third = team
    for link in (
        "[Call us free](tel:14109061234567)",
        "[Call us free](tel:+44/9061234567)",
        "[Call us free](tel:0/9061234567)",
        "[Call us free](tel:\uff10\uff19\uff10\uff16\uff11\uff12\uff13\uff14\uff15\uff16\uff17)",
    ):
        html = write(author, action="preview", body=CAMPAIGN["body"] + "\n\n" + link)
        assert "This cannot be published yet" in html.get_data(as_text=True), link


def test_a_long_text_under_the_editors_limit_is_given_back_not_lost(team):
    """The form allows 100,000 characters (and says "The text is too
    long" above that), but every request is cut at 64 KB first: a 70,000
    character page gets a bare 413 error page, and what was typed is lost
    (the edit view promises it is "never lost to an error page")."""
    _site, author, _approver, _third = team
    body = ("A long sentence about help. " * 2500)[:70_000]
    response = write(author, action="save", body=body)
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert body[-200:] in response.get_data(as_text=True)


def test_past_the_editors_limit_the_text_comes_back_with_its_error(team):
    """Longer than the editor takes (in Gujarati: three bytes a character,
    each sent as %XX, nine bytes): the form's own error, the text given
    back; a larger request anywhere else is still refused at 64 KB."""
    _site, author, _approver, third = team
    body = ("\u0a97\u0ac1\u0a9c\u0ab0\u0abe\u0aa4\u0ac0 " * 12_600)[:100_001]
    response = write(author, action="save", body=body)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The text is too long" in page and body[-300:] in page
    big = {"csrf_token": "x", "note": "n" * 70_000}
    assert third.post("/staff/", data=big).status_code == 413
    assert third.post("/ask/questions", data=big).status_code == 413


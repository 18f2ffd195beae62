"""Who may publish, what the list shows, and what the approver reads
(webapp/rules/publishing.py)."""

from datetime import UTC, date, datetime, timedelta

from webapp.rules import publishing as rules

TODAY = date(2026, 11, 25)


def test_an_author_may_not_approve_her_own_change_while_two_people_publish():
    assert rules.approval_refused(["a@x", "b@x"], "b@x", two_people=True) == "own"
    assert rules.approval_refused(["a@x"], "c@x", two_people=True) is None
    assert rules.approval_refused(["a@x"], "a@x", two_people=False) is None


def test_every_writer_is_an_author_once():
    authors = rules.add_author("", "a@x")
    authors = rules.add_author(authors, "b@x")
    assert rules.add_author(authors, "a@x") == "a@x,b@x"


def test_the_public_state_follows_the_dates_by_day():
    state = rules.public_state
    assert state(False, None, None, TODAY) == rules.NOT_PUBLISHED
    assert state(True, TODAY + timedelta(days=1), None, TODAY) == rules.SCHEDULED
    assert state(True, TODAY, TODAY, TODAY) == rules.LIVE  # its first and last day
    assert state(True, None, TODAY - timedelta(days=1), TODAY) == rules.ENDED
    assert state(True, None, None, TODAY) == rules.LIVE


def test_a_translation_is_stale_once_the_english_is_published_after_it():
    at = datetime(2026, 11, 1, tzinfo=UTC)
    assert rules.is_stale(at + timedelta(seconds=1), at)
    assert not rules.is_stale(at, at)
    assert not rules.is_stale(at - timedelta(days=1), at)
    assert not rules.is_stale(None, at) and not rules.is_stale(at, None)


def test_one_digit_changed_in_a_paragraph_is_marked_in_the_line():
    old = "Intro\nCall the team on 0800 123 4567, any day, for advice.\nEnd"
    new = "Intro\nCall the team on 0800 123 4568, any day, for advice.\nEnd"
    rows = rules.marked_diff(rules.line_diff(old, new))
    assert rows[0] == ("same", [(False, "Intro")])
    assert rows[1] == ("removed", [(False, "Call the team on 0800 123 "), (True, "4567"),
                                   (False, ", any day, for advice.")])
    assert rows[2] == ("added", [(False, "Call the team on 0800 123 "), (True, "4568"),
                                 (False, ", any day, for advice.")])
    # The parts are the lines, whole: nothing is lost or added in the marking.
    assert ["".join(text for _changed, text in parts) for _kind, parts in rows] == [
        "Intro", old.split("\n")[1], new.split("\n")[1], "End"]


def test_lines_too_unlike_are_not_marked_and_leftovers_stand_whole():
    rows = rules.marked_diff([
        ("removed", "The old opening words here"),
        ("removed", "A second line that goes"),
        ("added", "Something else entirely, nothing shared"),
        ("same", "kept"),
        ("added", "a new line"),
    ])
    assert rows == [
        ("removed", [(False, "The old opening words here")]),
        ("removed", [(False, "A second line that goes")]),  # nothing to pair with
        ("added", [(False, "Something else entirely, nothing shared")]),
        ("same", [(False, "kept")]),
        ("added", [(False, "a new line")]),
    ]
    # A word added at the end of a line: only it is marked, on the added side.
    assert rules.changed_words("Open every day", "Open every day except Sunday") == (
        [(False, "Open every day")], [(False, "Open every day"), (True, " except Sunday")])


def test_a_very_long_line_is_marked_where_it_changed_without_comparing_all_of_it():
    words = " ".join(f"word{n}" for n in range(20_000))  # 40,000 tokens on one line
    old, new = f"{words} 0800 123 4567 {words}", f"{words} 0800 123 4568 {words}"
    old_parts, new_parts = rules.changed_words(old, new)
    assert [text for changed, text in new_parts if changed] == ["4568"]
    assert "".join(text for _changed, text in old_parts) == old
    # A middle too long to compare word by word is marked as one stretch.
    middle = " ".join(f"new{n}" for n in range(rules.COMPARED_TOKENS))
    _old_parts, new_parts = rules.changed_words(f"{words} x {words}", f"{words} {middle} {words}")
    assert [text for changed, text in new_parts if changed] == [middle]
    # With the diff's budget spent, what differs is one stretch too.
    budget = [0]
    _old_parts, new_parts = rules.changed_words("a b c d e f", "a b x d y f", budget)
    assert new_parts == [(False, "a b "), (True, "x d y"), (False, " f")]
    assert budget == [0]


def test_the_line_diff_matches_the_common_start_and_end_then_bounds_the_rest():
    # The empty line between paragraphs is everywhere: a rewrite of every
    # paragraph is removed then added, its unchanged ends kept as context.
    old = "Title\n\n" + "\n\n".join(f"old {n}" for n in range(3000)) + "\n\nEnd"
    new = "Title\n\n" + "\n\n".join(f"new {n}" for n in range(3000)) + "\n\nEnd"
    rows = rules.line_diff(old, new)
    assert rows[:2] == [("same", "Title"), ("same", "")]
    assert rows[-2:] == [("same", ""), ("same", "End")]
    assert sum(kind == "removed" for kind, _line in rows) == 3000 + 2999  # lines and gaps
    assert ("added", "new 2999") in rows
    # Opcodes always rebuild both texts, whatever path they took.
    a, b = old.split("\n"), new.split("\n")
    for x, y in ((a, b), (a[:50], b[:70]), (a, a), ([], b[:3])):
        ops = rules.line_opcodes(x, y)
        assert [line for _t, i1, i2, _j1, _j2 in ops for line in x[i1:i2]] == x
        assert [line for _t, _i1, _i2, j1, j2 in ops for line in y[j1:j2]] == y


def test_the_languages_at_a_glance_put_what_needs_doing_first():
    t = rules.Translation
    glance = rules.at_a_glance([
        t("en", published=True, draft=rules.WAITING, stale=False),
        t("cy", published=True, draft=None, stale=True),
        t("pl", published=False, draft=rules.DRAFT, stale=False),
        t("ar", published=False, draft=None, stale=False),
        t("ur", published=True, draft=None, stale=False),
    ])
    assert glance == [
        (rules.STALE, ["cy"]),  # send it to a translator
        (rules.WAITING, ["en"]),
        (rules.DRAFT, ["pl"]),
        (rules.MISSING, ["ar"]),
        (rules.PUBLISHED, ["en", "ur"]),  # the English is live while its change waits
    ]
    assert rules.at_a_glance([t("en", published=True, draft=None, stale=False)]) == [
        (rules.PUBLISHED, ["en"])
    ]


def test_the_diff_shows_each_changed_line_once_in_reading_order():
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "line ten").replace("line 19", "line 19\nline 20")
    rows = rules.line_diff(old, new)
    changed = [(kind, line) for kind, line in rows if kind in ("added", "removed")]
    assert changed == [("removed", "line 10"), ("added", "line ten"), ("added", "line 20")]
    assert ("gap", "") in rows  # the unchanged stretch between is cut
    assert ("same", "line 0") not in rows
    assert rules.line_diff("same", "same") == []

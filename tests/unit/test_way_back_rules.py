"""The safe-contact rules a way back adds (webapp/rules/casework.py): her
latest contact rules hold, a message on this site only where she allows it,
and no contact at all after she asked us to stop or while she may be under
pressure, unless an officer overrides them knowingly."""

from datetime import UTC, datetime, timedelta

import pytest

from webapp.rules import casework, contact, wayback

MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 10:00 in London, in winter
BY_PHONE = {"method": "call", "phone": "020 7946 0018", "days": ["monday"],
            "bands": ["morning"], "voicemail": "yes", "post_safe": "no"}


def rules_with(events=(), *, method="call", open_=True, write_here=False, changes=(),
               first=None):
    first = first or {**BY_PHONE, "method": method}
    return casework.safe_contact("self", first, casework.WayBack(open_, write_here,
                                                                 tuple(events)), changes)


def broken(rules, method="call", outcome="no_answer", at=MONDAY_10):
    return casework.broken_rules(rules, method, outcome, at, 0, 3)


def test_without_a_way_back_nothing_changes():
    rules = casework.safe_contact("self", BY_PHONE)
    assert not (rules.way_back or rules.write_here or rules.stopped or rules.under_pressure)
    assert casework.allowed_methods(rules, 0, 3) == {"call"}
    assert broken(rules) == []


@pytest.mark.parametrize(("method", "open_", "write_here", "allowed"), [
    ("site", True, False, True),
    ("call", True, True, True),
    ("call", True, False, False),
    ("site", False, False, False),  # she closed her way back: nothing reaches her there
    ("call", False, True, False),
    ("none", True, True, True),
])
def test_a_message_on_this_site_only_where_she_allows_it(method, open_, write_here, allowed):
    rules = rules_with(method=method, open_=open_, write_here=write_here)
    assert (contact.SITE.code in casework.allowed_methods(rules, 0, 3)) == allowed
    assert (contact.CHANNEL not in broken(rules, "site", "written")) == allowed


def test_write_here_in_her_contact_part_counts_and_her_latest_change_decides():
    said_yes = {**BY_PHONE, "write_here": "yes"}
    assert rules_with(first=said_yes).write_here
    took_it_back = {**BY_PHONE, "write_here": "no"}
    assert not rules_with(write_here=True, changes=[took_it_back]).write_here
    silent = dict(BY_PHONE)  # a change that does not say keeps what she said before
    assert rules_with(write_here=True, changes=[silent]).write_here


def test_after_she_asked_us_to_stop_every_attempt_breaks_a_rule_until_she_resumes():
    stop = casework.Event(wayback.STOP, MONDAY_10 - timedelta(hours=1))
    rules = rules_with([stop], method="site")
    assert rules.stopped
    assert broken(rules, "site", "written") == [contact.STOPPED]
    assert broken(rules_with([stop]), "call") == [contact.STOPPED]
    # A call made before she asked (recorded late) set nothing aside.
    assert broken(rules_with([stop]), "call", at=stop.at - timedelta(minutes=5)) == []
    resumed = casework.Event(wayback.RESUMED, MONDAY_10 - timedelta(minutes=30))
    assert not rules_with([stop, resumed]).stopped
    again = casework.Event(wayback.STOP, MONDAY_10 - timedelta(minutes=10))
    assert rules_with([stop, resumed, again]).stopped_since == again.at


def test_under_pressure_until_an_officer_has_reviewed_it():
    pressure = casework.Event(wayback.PRESSURE, MONDAY_10 - timedelta(hours=2))
    rules = rules_with([pressure], method="site")
    assert rules.under_pressure
    assert broken(rules, "site", "written") == [contact.PRESSURE]
    assert broken(rules, "call") == [contact.CHANNEL, contact.PRESSURE]
    reviewed = casework.Event(wayback.PRESSURE, pressure.at, dealt=True)
    assert not rules_with([reviewed]).under_pressure
    later = casework.Event(wayback.PRESSURE, MONDAY_10 - timedelta(minutes=1))
    assert rules_with([reviewed, later]).pressure_since == later.at


def test_both_stop_and_pressure_are_named_in_order():
    events = [casework.Event(wayback.STOP, MONDAY_10 - timedelta(hours=3)),
              casework.Event(wayback.PRESSURE, MONDAY_10 - timedelta(hours=2))]
    assert broken(rules_with(events), "call", "message_left", MONDAY_10 + timedelta(hours=8)
                  ) == [contact.TIME, contact.STOPPED, contact.PRESSURE]


def test_her_latest_contact_rules_replace_the_first_ones():
    evenings = {**BY_PHONE, "bands": ["evening"], "voicemail": "no", "post_safe": "yes"}
    rules = rules_with(changes=[evenings])
    assert broken(rules, "call", "message_left") == [contact.TIME, contact.MESSAGE]
    assert contact.LETTER.code in casework.allowed_methods(rules, 0, 3)
    by_text = {"method": "text", "phone": "020 7946 0018"}
    latest = rules_with(changes=[evenings, by_text])
    assert latest.method == "text" and latest.windows is None
    assert broken(latest, "call") == [contact.CHANNEL]
    assert broken(latest, "text") == []


def test_which_answers_she_changed_and_when():
    first_at, second_at = MONDAY_10, MONDAY_10 + timedelta(days=1)
    evenings = {**BY_PHONE, "bands": ["evening"]}
    no_voicemail = {**evenings, "voicemail": "no", "post_safe": ""}
    changed = casework.changed_fields(BY_PHONE, [(first_at, evenings),
                                                 (second_at, no_voicemail)])
    assert changed == {"bands": first_at, "voicemail": second_at, "post_safe": second_at}
    assert casework.changed_fields(BY_PHONE, []) == {}
    assert casework.current_contact(BY_PHONE, []) == BY_PHONE
    assert casework.current_contact(BY_PHONE, [evenings, no_voicemail]) == no_voicemail


def test_a_reporter_way_back_follows_the_same_rules():
    rules = casework.safe_contact("concern", {"method": "site"},
                                  casework.WayBack(True, False, ()))
    assert casework.allowed_methods(rules, 0, 3) == {"site"}
    stop = casework.Event(wayback.STOP, MONDAY_10 - timedelta(hours=1))
    stopped = casework.safe_contact("concern", {"method": "site"},
                                    casework.WayBack(True, False, (stop,)))
    assert broken(stopped, "site", "written") == [contact.STOPPED]

"""The "is this abuse?" check's rule (webapp/rules/selfcheck.py): what the
ticked statements mean, danger first, and that every code has its words."""

import pytest

from webapp.rules import selfcheck
from webapp.rules.selfcheck import FORMS, GROUPS, SELF, SIGNS, SOMEONE, answer


@pytest.mark.parametrize("check", [SELF, SOMEONE], ids=lambda c: c.slug)
def test_each_statement_is_in_a_known_group_and_each_code_once(check):
    codes = check.codes()
    assert len(codes) == len(set(codes))
    assert all(s.group in GROUPS for s in check.statements)
    assert all(s.sign is None or s.sign in SIGNS for s in check.statements)


@pytest.mark.parametrize("check", [SELF, SOMEONE], ids=lambda c: c.slug)
def test_every_form_of_abuse_and_every_sign_of_danger_can_be_ticked(check):
    assert {s.group for s in check.statements} == set(GROUPS)
    assert {s.sign for s in check.statements if s.sign} == set(SIGNS)


def test_the_signs_asked_for_are_signs_of_danger():
    signs = {s.code: s.sign for s in SELF.statements if s.danger}
    assert signs == {"kill": "kill", "weapon": "weapon", "neck": "strangled",
                     "worse": "worse", "fear_life": "afraid"}
    assert not any(s.danger for s in SELF.statements if s.code in ("hits", "frightened"))


def test_groups_come_in_the_page_order():
    assert [group for group, _ in SELF.groups()] == list(GROUPS)
    assert GROUPS[-1] == "now"


def test_nothing_ticked_is_a_friendly_answer_not_a_problem():
    result = answer(SELF, [])
    assert result.nothing and not result.danger
    assert result.forms == () and result.signs == ()


def test_what_the_ticked_statements_mean_by_form_in_page_order():
    result = answer(SELF, ["images", "takes_money", "decides", "rules"])
    assert result.forms == ("controlled", "money", "online")
    assert result.ticked == ("decides", "rules", "takes_money", "images")
    assert not result.danger


def test_danger_is_found_whatever_else_is_ticked():
    result = answer(SELF, ["hits", "neck", "worse"])
    assert result.danger
    assert result.signs == ("strangled", "worse")
    assert result.forms == ("hurt",)  # "how things are now" is not a form of abuse


def test_signs_come_in_their_own_order_not_the_ticking_order():
    result = answer(SOMEONE, ["fear_life", "weapon", "neck", "kill"])
    assert result.signs == ("strangled", "kill", "weapon", "afraid")


def test_unknown_and_repeated_codes_are_ignored():
    result = answer(SOMEONE, ["injuries", "injuries", "gave_in", "<script>", ""])
    assert result.ticked == ("injuries",)  # gave_in belongs to the other check
    assert result.forms == ("hurt",)


def test_danger_alone_still_counts_as_ticked():
    result = answer(SELF, ["fear_life"])
    assert result.danger and not result.nothing and result.forms == ()


def test_every_code_has_its_words(app):
    from webapp.selfcheck import words

    for check in selfcheck.CHECKS.values():
        assert set(words.STATEMENTS[check.slug]) == set(check.codes()), check.slug
        assert set(words.MEANINGS[check.slug]) == set(FORMS), check.slug
    assert set(words.GROUP_HEADINGS) == set(GROUPS)
    assert set(words.FORM_NAMES) == set(FORMS)
    assert set(words.SIGN_WORDS) == set(SIGNS)

"""Legal clocks as a diagram declares them: limits, starts and conditions."""

from __future__ import annotations

from datetime import date

from sote_flow.engine.case_rules import queue_rule_problems, queue_rules

STATES = ("vireilla", "selvitys", "paatos", "palvelu")


def clocks(text: str):
    return queue_rules({"caseClocks": text}).clocks


def problems(text: str) -> list[str]:
    return queue_rule_problems({"caseClocks": text}, STATES)


def test_a_condition_and_a_start_may_come_in_either_order():
    (one,) = clocks('alku=Arviointi alkaa|7 weekdays|SHL 36 §|selvitys|if=special_group != "ei"')
    assert (one.condition, one.start_field, one.start_state) == (
        'special_group != "ei"',
        None,
        None,
    )
    (two,) = clocks(
        "pano=Päätös pannaan täytäntöön|3 months|SHL 45 §|palvelu|if=not urgent|after=paatos"
    )
    assert (two.condition, two.start_state, two.unit) == ("not urgent", "paatos", "months")
    assert problems('alku=A|7 weekdays|SHL 36 §|selvitys|if=special_group != "ei"') == []


def test_a_bad_condition_is_refused_at_deploy_naming_the_clock():
    (message,) = problems("alku=A|7 weekdays|SHL 36 §|selvitys|if=__import__('os')")
    assert message.startswith("Määräajan ”alku” ehto")
    (twice,) = problems("alku=A|7 weekdays|SHL|selvitys|if=a|if=b")
    assert "if=lauseke" in twice
    assert clocks("alku=A|7 weekdays|SHL|selvitys|if=a|if=b") == ()


def test_the_weekday_limit_skips_the_easter_and_christmas_holidays():
    (clock,) = clocks("alku=A|7 weekdays|SHL 36 §|selvitys")
    # Pending on Maundy Thursday 2.4.2026: Good Friday and Easter Monday are holidays, so the
    # seventh weekday is Wednesday 15.4. (7.4.-10.4., 13.4.-15.4.).
    assert clock.due_on(date(2026, 4, 2)) == date(2026, 4, 15)
    # Pending on 23.12.2026: Christmas Eve and Day, New Year's Day and Epiphany are skipped
    # (28.-31.12., 4.-5.1., 7.1.).
    assert clock.due_on(date(2026, 12, 23)) == date(2027, 1, 7)
    # Pending on Midsummer Eve's Thursday 18.6.2026: Midsummer Eve 19.6. is no weekday.
    assert clock.due_on(date(2026, 6, 18)) == date(2026, 6, 30)

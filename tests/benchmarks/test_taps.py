"""The tap-counting script keeps working (its figures are in the README, not checked here)."""

from __future__ import annotations

from tests.benchmarks.taps import ANSWER, Sql, measure


async def test_the_counting_script_drives_a_whole_report() -> None:
    sql = Sql()
    (_, first), (_, unchanged), (label, whole) = await measure(sql)
    assert label.endswith("(10 Maßnahmen)")  # the demo contact's measures, all reported
    assert first.taps >= 1
    assert first.messages >= 1
    assert unchanged.taps >= 1
    assert whole.taps >= 10 * unchanged.taps // 2  # every measure took taps of its own
    assert whole.characters > unchanged.characters
    # every tap reached the bot's database: an answer is read, stored and remembered
    statements, transactions, _, _ = sql.summary(ANSWER)
    assert statements >= 3
    assert transactions >= 1
    assert len(sql.taps[ANSWER]) >= first.taps - 1  # all but "Absenden" answered

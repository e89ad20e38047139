"""The tap-counting script keeps working (its figures are in the README, not checked here)."""

from __future__ import annotations

from tests.benchmarks.taps import measure


async def test_the_counting_script_drives_a_whole_report() -> None:
    (_, first), (_, unchanged), (label, whole) = await measure()
    assert label.endswith("(10 Maßnahmen)")  # the demo contact's measures, all reported
    assert first.taps >= 1
    assert first.messages >= 1
    assert unchanged.taps >= 1
    assert whole.taps >= 10 * unchanged.taps // 2  # every measure took taps of its own
    assert whole.characters > unchanged.characters

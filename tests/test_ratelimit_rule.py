"""The send windows' rule, pure: a send late for its slot takes the slot it waited for.

Under a long fan-out every slot opens one window after the send it replaces. A send
that reaches the database a few milliseconds after its slot opened is recorded at the
opening (up to half the margin back), so those milliseconds do not push every later
slot back; and nothing recorded ever breaks a window's count.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.ratelimit import Limit, RateLimits, admit, free_at, taken_at

LIMITS = RateLimits()
OVERALL = LIMITS.overall
SPAN = LIMITS.span(OVERALL)


def _send(window: list[float], now: float) -> tuple[bool, list[float]]:
    """What the outbox does with one window: admit at `now`, record as `taken_at` says."""
    ok, _ = admit(window, now, OVERALL, SPAN)
    if not ok:
        return False, window
    at = taken_at(now, [(window, OVERALL, SPAN)], LIMITS.back)
    ok, after = admit(window, at, OVERALL, SPAN)
    assert ok, "the recorded instant must fit the window"
    return True, after


def test_the_margin_is_seventy_milliseconds_and_ten_of_them_may_be_taken_back() -> None:
    assert SPAN == 1.07
    assert LIMITS.span(LIMITS.group) == 60.07
    assert LIMITS.back == 0.01


def test_a_saturated_window_keeps_its_pace_when_every_send_is_a_little_late() -> None:
    window: list[float] = []
    recorded: list[float] = []
    now = 0.0
    while len(recorded) < 300:
        ok, window = _send(window, now)
        if ok:
            recorded.append(window[-1])
            now += 0.004  # the database's turn: a few milliseconds a send
            continue
        opens = free_at(window, OVERALL, SPAN)
        assert opens is not None
        now = opens + 0.008  # woken 8 ms after the slot opened
    # Ten windows of 30: the 300th send leaves nine spans after the 30th, not 9 x 8 ms
    # later (the rate is 30 a span, not 30 a span and a wake-up).
    assert abs(recorded[299] - recorded[29] - 9 * SPAN) < 1e-9


def test_a_send_is_never_recorded_before_the_latest_one() -> None:
    window = [0.0, 0.5]
    assert taken_at(0.505, [(window, Limit(30, 1.0), 1.07)], 0.01) == 0.5
    assert taken_at(0.6, [(window, Limit(30, 1.0), 1.07)], 0.01) == 0.59


@given(
    st.lists(st.floats(min_value=0.0, max_value=0.2), min_size=1, max_size=400),
    st.sampled_from([Limit(30, 1.0), Limit(1, 1.0), Limit(20, 60.0), Limit(3, 0.5)]),
)
def test_no_window_ever_holds_more_than_its_count(gaps: list[float], limit: Limit) -> None:
    span = LIMITS.span(limit)
    window: list[float] = []
    recorded: list[float] = []
    now = 0.0
    for gap in gaps:
        now += gap
        ok, _ = admit(window, now, limit, span)
        if not ok:
            continue
        at = taken_at(now, [(window, limit, span)], LIMITS.back)
        assert now - LIMITS.back <= at <= now
        ok, window = admit(window, at, limit, span)
        assert ok
        recorded.append(at)
    assert recorded == sorted(recorded)
    for i in range(len(recorded) - limit.count):
        # Any count+1 consecutive sends are at least a whole window apart.
        assert recorded[i + limit.count] - recorded[i] >= limit.seconds

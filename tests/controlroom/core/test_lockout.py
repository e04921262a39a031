from controlroom.core.lockout import Lockout


def test_fifth_wrong_pin_locks_for_five_minutes_and_a_right_pin_is_refused_meanwhile() -> None:
    pins = Lockout(max_failures=5, window_s=300, lock_s=300)
    key = ("pin", "kiosk-1", "1-2-1502")
    lefts = [pins.fail(key, now=float(t)).attempts_left for t in range(4)]
    assert lefts == [4, 3, 2, 1]
    fifth = pins.fail(key, now=4.0)
    assert fifth.locked and fifth.retry_after_s == 300
    assert pins.check(key, now=200.0).retry_after_s == 104.0
    assert not pins.check(key, now=304.0).locked
    assert pins.check(key, now=304.0).attempts_left == 5


def test_lock_is_per_key_and_a_right_answer_clears_the_count() -> None:
    pins = Lockout(max_failures=5, window_s=300, lock_s=300)
    for t in range(4):
        pins.fail(("pin", "kiosk-1", "A"), now=float(t))
    assert pins.check(("pin", "kiosk-2", "A"), now=5.0).attempts_left == 5
    pins.succeed(("pin", "kiosk-1", "A"))
    assert pins.check(("pin", "kiosk-1", "A"), now=5.0).attempts_left == 5


def test_wrong_answers_older_than_the_window_are_forgotten() -> None:
    codes = Lockout(max_failures=10, window_s=120, lock_s=120)
    for t in range(9):
        codes.fail("kiosk-1", now=float(t))
    assert codes.check("kiosk-1", now=8.0).attempts_left == 1
    assert not codes.fail("kiosk-1", now=200.0).locked
    assert codes.check("kiosk-1", now=200.0).attempts_left == 9

"""The kiosk API of docs/api/kiosk.md: public calls, identifying a resident (PIN, card,
one-time code, the PIN lockout), sessions bound to one kiosk, and a flat's own requests."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from controlroom.core.models import AuditEntry
from controlroom.services.residents.sessions import CARD_FAILURES, CARD_LOCK_S
from tests.controlroom.conftest import T0, Clock, signal
from tests.utils import auth

KIOSK1 = ("kiosk-1", "kiosk1-secret")
KIOSK2 = ("kiosk-2", "kiosk2-secret")


def pin_login(client: TestClient, kiosk: dict[str, str], unit: str = "1-2-1502",
              pin: str = "246810") -> dict[str, str]:
    r = client.post("/api/kiosk/session", headers=kiosk,
                    json={"method": "pin", "unit": unit, "pin": pin})
    assert r.status_code == 201, r.text
    return {**kiosk, "X-Resident-Session": r.json()["session"]}


# -- public ------------------------------------------------------------------------------------


def test_the_attract_screen_gets_the_site_its_building_and_the_emergency_numbers(
        client: TestClient) -> None:
    r = client.get("/api/kiosk/info", headers=auth(client, *KIOSK1))
    assert r.status_code == 200
    body = r.json()
    assert body["site"] == {"id": "riverside", "name_zh": "江畔花园",
                            "name_en": "Riverside Gardens"}
    assert body["kiosk"]["building"] == "1"
    assert body["hotline"] == "400-820-8820"
    assert {e["phone"] for e in body["emergency"]} >= {"110", "119", "120", "400-820-8820"}
    assert body["incident"] is None


def test_a_gas_alarm_in_the_kiosks_building_shows_a_banner_without_the_flat(
        client: TestClient) -> None:
    gw = auth(client, "gateway", "gateway123")
    assert client.post("/api/gateway/signals", headers=gw,
                       json=signal("gas-1-2-1502")).status_code == 200
    one = client.get("/api/kiosk/info", headers=auth(client, *KIOSK1)).json()["incident"]
    assert one["kind"] == "incident" and one["building"] == "1"
    assert one["message_zh"] and one["message_en"]
    assert "1502" not in str(one)
    assert client.get("/api/kiosk/info", headers=auth(client, *KIOSK2)).json()["incident"] is None


def test_the_catalogue_has_the_three_menus_and_the_categories_are_bilingual(
        client: TestClient) -> None:
    k = auth(client, *KIOSK1)
    menus = client.get("/api/kiosk/catalogue", headers=k).json()["menus"]
    assert [m["id"] for m in menus] == ["public", "assistance", "value-added"]
    cleaning = next(i for m in menus for i in m["items"] if i["id"] == "home-cleaning")
    assert (cleaning["price"], cleaning["quote"], cleaning["sla"]) == (150.0, False, "paid")
    cats = client.get("/api/kiosk/categories", headers=k).json()
    assert {"taps", "drains", "lifts"} <= {c["id"] for c in cats["repair"]}
    assert next(c for c in cats["repair"] if c["id"] == "lifts")["urgent"] is True
    assert {"noise", "parking"} <= {c["id"] for c in cats["complaint"]}


def test_only_a_kiosk_may_call_the_kiosk_api(client: TestClient) -> None:
    assert client.get("/api/kiosk/info").status_code == 401
    for user, pw in (("frontdesk", "frontdesk123"), ("operator", "operator123")):
        assert client.get("/api/kiosk/catalogue", headers=auth(client, user, pw)
                          ).status_code == 403


# -- identification ----------------------------------------------------------------------------


def test_a_resident_logs_in_by_pin_or_card_and_sees_only_a_masked_name(
        client: TestClient) -> None:
    k = auth(client, *KIOSK1)
    r = client.post("/api/kiosk/session", headers=k,
                    json={"method": "pin", "unit": "1-2-1502", "pin": "246810"})
    assert r.status_code == 201
    assert (r.json()["unit"], r.json()["name_masked"], r.json()["idle_s"]) == (
        "1-2-1502", "陈*", 120)
    r = client.post("/api/kiosk/session", headers=k,
                    json={"method": "card", "card": "04a1010101"})  # any case
    assert r.status_code == 201
    assert (r.json()["unit"], r.json()["name_masked"]) == ("1-1-0101", "E*")
    r = client.post("/api/kiosk/session", headers=k, json={"method": "card", "card": "DEAD0000"})
    assert (r.status_code, r.json()["code"]) == (401, "unknown_card")


def test_a_wrong_pin_and_an_unknown_flat_get_the_same_answer(client: TestClient) -> None:
    k = auth(client, *KIOSK1)
    wrong = client.post("/api/kiosk/session", headers=k,
                        json={"method": "pin", "unit": "1-2-1502", "pin": "000000"})
    nobody = client.post("/api/kiosk/session", headers=k,
                         json={"method": "pin", "unit": "9-9-9999", "pin": "000000"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["code"] == nobody.json()["code"] == "wrong_pin"
    assert wrong.json()["attempts_left"] == nobody.json()["attempts_left"] == 4


def test_five_wrong_pins_lock_that_flat_at_that_kiosk_for_five_minutes(
        clocked_client: TestClient, clock: Clock) -> None:
    client = clocked_client
    k1, k2 = auth(client, *KIOSK1), auth(client, *KIOSK2)
    wrong = {"method": "pin", "unit": "1-2-1502", "pin": "111111"}
    right = {**wrong, "pin": "246810"}
    left = [client.post("/api/kiosk/session", headers=k1, json=wrong).json()["attempts_left"]
            for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = client.post("/api/kiosk/session", headers=k1, json=wrong)
    assert fifth.status_code == 429
    assert (fifth.json()["code"], fifth.json()["retry_after_s"]) == ("locked", 300)
    assert fifth.headers["Retry-After"] == "300"
    # Locked even for the right PIN, at this kiosk, for this flat only.
    clock.advance(minutes=4)
    locked = client.post("/api/kiosk/session", headers=k1, json=right)
    assert (locked.status_code, locked.json()["retry_after_s"]) == (429, 60)
    assert client.post("/api/kiosk/session", headers=k2, json=right).status_code == 201
    assert client.post("/api/kiosk/session", headers=k1, json={
        "method": "pin", "unit": "1-1-0301", "pin": "112233"}).status_code == 201
    clock.advance(minutes=1, seconds=1)
    assert client.post("/api/kiosk/session", headers=k1, json=right).status_code == 201
    # Every try is in the audit log, and no PIN is.
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action.like("kiosk.login%"))).all()
    assert [a.action for a in audit].count("kiosk.login_failed") == 5
    assert not any(pin in f"{a.target} {a.detail}" for a in audit
                   for pin in ("111111", "246810"))


def test_a_one_time_code_goes_to_the_flats_phone_and_works_once(client: TestClient) -> None:
    k = auth(client, *KIOSK1)
    r = client.post("/api/kiosk/session", headers=k, json={"method": "otp_request",
                                                          "unit": "1-1-0301"})
    assert (r.status_code, r.json()) == (202, {"sent": True})
    # The outbox's record (what the SMS gateway is sent): the flat's phone, the code first.
    [row] = client.app.state.outbox.list(kind="login_code")  # type: ignore[attr-defined]
    unit, phone, message = row.unit, row.recipient, row.text
    assert (unit, phone) == ("1-1-0301", "135-0000-0301")
    code = message.split()[0]
    assert len(code) == 6 and code.isdigit()
    bad = client.post("/api/kiosk/session", headers=k, json={
        "method": "otp", "unit": "1-1-0301", "code": f"{(int(code) + 1) % 1_000_000:06d}"})
    assert (bad.status_code, bad.json()["code"]) == (401, "wrong_pin")
    ok = client.post("/api/kiosk/session", headers=k,
                     json={"method": "otp", "unit": "1-1-0301", "code": code})
    assert (ok.status_code, ok.json()["name_masked"]) == (201, "林*")
    again = client.post("/api/kiosk/session", headers=k,
                        json={"method": "otp", "unit": "1-1-0301", "code": code})
    assert again.status_code == 401
    # A flat with nobody on file: the same answer, and nothing is sent.
    r = client.post("/api/kiosk/session", headers=k, json={"method": "otp_request",
                                                          "unit": "1-1-0102"})
    assert r.status_code == 202
    assert len(client.app.state.outbox.list(kind="login_code")) == 1  # type: ignore[attr-defined]


def test_a_login_without_the_field_it_needs_names_it(client: TestClient) -> None:
    r = client.post("/api/kiosk/session", headers=auth(client, *KIOSK1),
                    json={"method": "pin", "unit": "1-2-1502"})
    assert (r.status_code, r.json()["detail"]) == (422, "pin: required for method 'pin'")


# -- sessions ----------------------------------------------------------------------------------


def test_a_session_works_only_at_the_kiosk_that_made_it(client: TestClient) -> None:
    h = pin_login(client, auth(client, *KIOSK1))
    assert client.get("/api/kiosk/me", headers=h).status_code == 200
    other = {**auth(client, *KIOSK2), "X-Resident-Session": h["X-Resident-Session"]}
    r = client.get("/api/kiosk/me", headers=other)
    assert (r.status_code, r.json()["code"]) == (401, "session_expired")
    assert client.get("/api/kiosk/me", headers=h).status_code == 200


def test_a_session_ends_after_120_s_idle_at_15_min_or_when_the_kiosk_ends_it(
        clocked_client: TestClient, clock: Clock) -> None:
    client = clocked_client
    k = auth(client, *KIOSK1)
    h = pin_login(client, k)
    clock.advance(seconds=121)
    assert client.get("/api/kiosk/me", headers=h).json()["code"] == "session_expired"

    h = pin_login(client, k)
    for _ in range(8):  # a call every 110 s keeps it alive ...
        clock.advance(seconds=110)
        assert client.get("/api/kiosk/me", headers=h).status_code == 200
    clock.advance(seconds=110)  # ... until 15 minutes after it began
    assert client.get("/api/kiosk/me", headers=h).status_code == 401

    h = pin_login(client, k)
    assert client.delete("/api/kiosk/session", headers=h).status_code == 204
    assert client.get("/api/kiosk/me", headers=h).status_code == 401
    assert client.get("/api/kiosk/me", headers=k).status_code == 401  # no session at all


def test_sessions_are_stored_as_hashes(client: TestClient) -> None:
    h = pin_login(client, auth(client, *KIOSK1))
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        rows = s.execute(__import__("sqlalchemy").text(
            "SELECT token_hash, unit, kiosk FROM resident_sessions")).all()
    assert [(r.unit, r.kiosk) for r in rows] == [("1-2-1502", "kiosk-1")]
    assert h["X-Resident-Session"] not in str(rows)


# -- the resident's own ------------------------------------------------------------------------


def test_me_shows_the_flat_and_takes_fees_and_items_from_the_account_hook(
        client: TestClient) -> None:
    h = pin_login(client, auth(client, *KIOSK1))
    state = client.app.state  # type: ignore[attr-defined]
    wired = state.account_summary  # the desk's accounts, wired by the app
    del state.account_summary  # without it: nothing owed, nothing held
    assert client.get("/api/kiosk/me", headers=h).json() == {
        "unit": "1-2-1502", "name_masked": "陈*", "building": "1", "balance": 0,
        "arrears": 0, "open_requests": 0, "held_items": 0}
    state.account_summary = wired
    me = client.get("/api/kiosk/me", headers=h).json()
    assert {k: me[k] for k in ("balance", "arrears", "held_items")} == {
        k: wired("1-2-1502")[k] for k in ("balance", "arrears", "held_items")}
    state.account_summary = lambda unit: {
        "balance": -320.5, "arrears": 320.5, "held_items": 1 if unit == "1-2-1502" else 0}
    me = client.get("/api/kiosk/me", headers=h).json()
    assert (me["balance"], me["arrears"], me["held_items"]) == (-320.5, 320.5, 1)


def test_a_resident_orders_a_repair_and_follows_it(clocked_client: TestClient) -> None:
    client = clocked_client
    h = pin_login(client, auth(client, *KIOSK1))
    r = client.post("/api/kiosk/requests", headers=h, json={
        "type": "repair", "category": "taps", "description": "厨房水龙头漏水"})
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["number"] == f"SR-20261122-{req['id']:04d}"
    assert (req["state"], req["title_zh"], req["title_en"]) == (
        "received", "水龙头、水管", "Taps and pipes")
    assert req["promised_by"] == (T0 + timedelta(minutes=10)).isoformat().replace(
        "+00:00", "Z")
    assert req["next_step_en"].startswith("Your butler will answer within 10 minutes")
    assert [t["label_zh"] for t in req["timeline"]] == ["已受理"]
    assert "owner" not in req and "assignee" not in req  # no staff names at the kiosk

    order = client.post("/api/kiosk/requests", headers=h,
                        json={"type": "service_order", "item": "home-cleaning"}).json()
    mine = client.get("/api/kiosk/requests", headers=h).json()["requests"]
    assert [m["id"] for m in mine] == [order["id"], req["id"]]  # newest first (same clock: id)
    assert client.get(f"/api/kiosk/requests/{req['id']}", headers=h).json()["id"] == req["id"]
    assert client.get("/api/kiosk/me", headers=h).json()["open_requests"] == 2


def test_a_repair_in_an_urgent_category_is_an_urgent_repair(client: TestClient) -> None:
    h = pin_login(client, auth(client, *KIOSK1))
    r = client.post("/api/kiosk/requests", headers=h, json={"type": "repair",
                                                           "category": "lifts"})
    assert r.json()["type"] == "urgent_repair"


def test_a_residents_session_cannot_read_another_flats_request(client: TestClient) -> None:
    k1 = auth(client, *KIOSK1)
    chen = pin_login(client, k1)
    lin = pin_login(client, k1, "1-1-0301", "112233")
    theirs = client.post("/api/kiosk/requests", headers=chen, json={
        "type": "complaint", "category": "noise", "description": "楼上装修"}).json()
    r = client.get(f"/api/kiosk/requests/{theirs['id']}", headers=lin)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert client.get("/api/kiosk/requests/99999", headers=lin).json() == r.json() | {
        "detail": "no request 99999 for your flat"}
    assert client.get("/api/kiosk/requests", headers=lin).json() == {"requests": []}


def test_a_bad_order_names_the_field_to_fix(client: TestClient) -> None:
    h = pin_login(client, auth(client, *KIOSK1))
    cases = [
        ({"type": "service_order", "item": "x"}, "item: unknown menu item 'x'"),
        ({"type": "assistance", "item": "home-cleaning"},
         "item: 'home-cleaning' is on the value-added menu: order it as service_order"),
        ({"type": "repair"}, "category: a repair needs a category: one of taps, drains, "),
        ({"type": "complaint", "category": "taps"}, "category: unknown complaint category"),
    ]
    for body, detail in cases:
        r = client.post("/api/kiosk/requests", headers=h, json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"].startswith(detail), r.json()
    r = client.post("/api/kiosk/requests", headers=h,
                    json={"type": "help", "description": "x" * 501})
    assert r.status_code == 422 and r.json()["detail"].startswith("description: ")


def test_five_wrong_one_time_codes_lock_the_flat_as_five_wrong_pins_do(
        client: TestClient) -> None:
    k = auth(client, *KIOSK1)
    assert client.post("/api/kiosk/session", headers=k, json={
        "method": "otp_request", "unit": "1-1-0301"}).status_code == 202
    [row] = client.app.state.outbox.list(kind="login_code")  # type: ignore[attr-defined]
    code = row.text.split()[0]
    wrong = {"method": "otp", "unit": "1-1-0301", "code": f"{(int(code) + 1) % 1_000_000:06d}"}
    left = [client.post("/api/kiosk/session", headers=k, json=wrong).json()["attempts_left"]
            for _ in range(4)]
    assert left == [4, 3, 2, 1]
    fifth = client.post("/api/kiosk/session", headers=k, json=wrong)
    assert (fifth.status_code, fifth.json()["code"]) == (429, "locked")
    # One count with the PIN: the right code and the right PIN are both refused now, and no
    # new code is sent while the flat is locked.
    for body in ({**wrong, "code": code}, {"method": "pin", "unit": "1-1-0301",
                                           "pin": "112233"}):
        assert client.post("/api/kiosk/session", headers=k, json=body).status_code == 429
    assert client.post("/api/kiosk/session", headers=k, json={
        "method": "otp_request", "unit": "1-1-0301"}).status_code == 202
    assert len(client.app.state.outbox.list(kind="login_code")) == 1  # type: ignore[attr-defined]


def test_a_phone_gets_at_most_five_login_codes_an_hour(clocked_client: TestClient,
                                                      clock: Clock) -> None:
    client = clocked_client
    k = auth(client, *KIOSK1)
    ask = {"method": "otp_request", "unit": "1-1-0301"}
    for _ in range(7):  # the same answer each time: nothing tells that it is throttled
        assert client.post("/api/kiosk/session", headers=k, json=ask).json() == {"sent": True}
    outbox = client.app.state.outbox  # type: ignore[attr-defined]
    assert len(outbox.list(kind="login_code")) == 5
    clock.advance(hours=1, seconds=1)
    client.post("/api/kiosk/session", headers=k, json=ask)
    assert len(outbox.list(kind="login_code")) == 6


def test_ten_unknown_cards_pause_card_login_at_that_kiosk_while_flat_and_pin_still_work(
        clocked_client: TestClient, clock: Clock) -> None:
    client = clocked_client
    k1, k2 = auth(client, *KIOSK1), auth(client, *KIOSK2)
    answers = [client.post("/api/kiosk/session", headers=k1, json={
        "method": "card", "card": f"DEADBEEF{i:02X}"}) for i in range(CARD_FAILURES)]
    assert [r.status_code for r in answers] == [401] * (CARD_FAILURES - 1) + [429]
    assert answers[0].json()["code"] == "unknown_card"
    last = answers[-1]
    assert (last.json()["code"], last.json()["retry_after_s"]) == ("cards_paused", CARD_LOCK_S)
    assert last.headers["Retry-After"] == str(CARD_LOCK_S)
    own = {"method": "card", "card": "04A3150201"}  # 1-2-1502's card
    # Paused for every card at this kiosk, a resident's own too; not at another kiosk, and
    # the flat and PIN still work here.
    assert client.post("/api/kiosk/session", headers=k1, json=own).status_code == 429
    assert client.post("/api/kiosk/session", headers=k2, json=own).status_code == 201
    pin_login(client, k1)
    clock.advance(seconds=CARD_LOCK_S + 1)
    assert client.post("/api/kiosk/session", headers=k1, json=own).status_code == 201
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        paused = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "kiosk.cards_paused")).all()
    assert [(a.actor, a.target) for a in paused] == [("kiosk-1", "kiosk:kiosk-1")]

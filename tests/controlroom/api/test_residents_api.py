"""The resident register through the desk API: a move-in logs in at the kiosk, a move-out
stops it, cards and PIN resets, every change audited; importing 2,000 residents from Excel."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from controlroom.core.models import AuditEntry
from controlroom.services.residents.models import RegisteredResident
from tests.controlroom.conftest import RecordingResidents
from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")
KIOSK = ("kiosk-1", "kiosk1-secret")


@pytest.fixture
def told(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> RecordingResidents:
    """The residents' text messages, as handed to the notifier."""
    rec = RecordingResidents()
    monkeypatch.setattr(client.app.state, "resident_notifier", rec)  # type: ignore[attr-defined]
    return rec


def audit_actions(client: TestClient, target: str) -> list[tuple[str, str]]:
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        return [(a.actor, a.action) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.target == target).order_by(AuditEntry.id))]


def login(client: TestClient, **body: str) -> int:
    return client.post("/api/kiosk/session", headers=auth(client, *KIOSK), json=body).status_code


def test_the_site_files_residents_are_in_the_register_once(client: TestClient) -> None:
    r = client.get("/api/residents", headers=auth(client, *DESK), params={"unit": "1-2-1502"})
    (chen,) = r.json()["data"]
    assert chen["name"] == "陈桂芳" and chen["elderly_alone"] and chen["has_pin"]
    assert chen["source"] == "site" and chen["card"] == "04A3150201"
    assert {c["role"] for c in chen["contacts"]} == {"儿子 son", "邻居 neighbour"}
    assert "pin" not in chen and "pin_hash" not in chen
    assert login(client, method="pin", unit="1-2-1502", pin="246810") == 201


def test_a_move_in_with_a_card_logs_in_at_the_kiosk_and_a_move_out_ends_it(
        client: TestClient) -> None:
    desk = auth(client, *DESK)
    assert login(client, method="card", card="04C1000001") == 401
    r = client.post("/api/residents", headers=desk, json={
        "unit": "1-1-0102", "name": "林小雨", "phone": "139-1234-5678", "language": "en",
        "contacts": [{"role": "daughter", "name": "林晨", "phone": "138-0000-0001"}],
        "card": "04c1000001"})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["card"] == "04C1000001" and not new["has_pin"] and new["moved_out"] is None
    ok = client.post("/api/kiosk/session", headers=auth(client, *KIOSK),
                     json={"method": "card", "card": "04C1000001"})
    assert ok.status_code == 201 and ok.json()["name_masked"] == "林*"

    again = client.post("/api/residents", headers=desk, json={
        "unit": "1-1-0102", "name": "林小雨", "phone": "139-1234-5678"})
    assert again.status_code == 409 and again.json()["code"] == "resident_exists"
    taken = client.post("/api/residents", headers=desk, json={
        "unit": "1-1-0103", "name": "X", "phone": "139-1234-5678", "card": "04A3150201"})
    assert taken.status_code == 409 and taken.json()["code"] == "card_taken"

    out = client.post(f"/api/residents/{new['id']}/move-out", headers=desk, json={})
    assert out.status_code == 200 and out.json()["moved_out"] and out.json()["card"] is None
    assert login(client, method="card", card="04C1000001") == 401
    living = client.get("/api/residents", headers=desk, params={"unit": "1-1-0102"}).json()
    everyone = client.get("/api/residents", headers=desk,
                          params={"unit": "1-1-0102", "history": True}).json()
    assert living["count"] == 0 and everyone["count"] == 1  # the history stays
    assert audit_actions(client, f"resident:{new['id']}") == [
        ("frontdesk", "resident.move_in"), ("frontdesk", "resident.move_out")]


def test_phones_contacts_and_the_elderly_flag_are_changed_and_audited_by_field(
        client: TestClient) -> None:
    desk = auth(client, *DESK)
    rid = client.get("/api/residents", headers=desk,
                     params={"unit": "2-1-0304"}).json()["data"][0]["id"]
    r = client.patch(f"/api/residents/{rid}", headers=desk, json={
        "phone2": "021-5555-0304", "elderly_alone": True,
        "contacts": [{"role": "son", "name": "周强", "phone": "137-0000-0304"}]})
    assert r.status_code == 200
    assert r.json()["elderly_alone"] and r.json()["contacts"][0]["role"] == "son"
    bad = client.patch(f"/api/residents/{rid}", headers=desk, json={"phone": "none"})
    assert bad.status_code == 422 and "phone" in bad.json()["detail"]
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        detail = s.scalar(select(AuditEntry.detail).where(
            AuditEntry.action == "resident.update", AuditEntry.target == f"resident:{rid}"))
    assert detail == "changed phone2, elderly_alone, contacts"  # names, not the numbers


def test_a_pin_reset_sends_a_code_with_which_the_resident_chooses_a_pin_at_the_kiosk(
        client: TestClient, told: RecordingResidents) -> None:
    desk, kiosk = auth(client, *DESK), auth(client, *KIOSK)
    rid = client.get("/api/residents", headers=desk,
                     params={"unit": "1-2-1502"}).json()["data"][0]["id"]
    r = client.post(f"/api/residents/{rid}/pin-reset", headers=desk)
    assert r.status_code == 200 and r.json()["sent_to"].endswith("1502")
    assert not r.json()["resident"]["has_pin"]
    assert login(client, method="pin", unit="1-2-1502", pin="246810") == 401  # old PIN gone
    unit, phone, message = told.sent[-1]
    assert (unit, phone) == ("1-2-1502", "139-0000-1502")
    code = re.search(r"\d{8}", message).group()  # type: ignore[union-attr]
    wrong = client.post("/api/kiosk/pin", headers=kiosk,
                        json={"unit": "1-2-1502", "code": "00000000", "pin": "8642"})
    assert wrong.status_code == 401 and wrong.json()["attempts_left"] == 4
    ok = client.post("/api/kiosk/pin", headers=kiosk,
                     json={"unit": "1-2-1502", "code": code, "pin": "8642"})
    assert ok.status_code == 200 and ok.json()["name_masked"] == "陈*"
    assert login(client, method="pin", unit="1-2-1502", pin="8642") == 201
    used = client.post("/api/kiosk/pin", headers=kiosk,
                       json={"unit": "1-2-1502", "code": code, "pin": "1111"})
    assert used.status_code == 401  # the code works once
    assert [a for _, a in audit_actions(client, f"resident:{rid}")] == [
        "resident.pin_reset", "resident.pin_chosen"]


def test_a_lost_card_stops_opening_sessions_and_a_new_one_does(client: TestClient) -> None:
    desk = auth(client, *DESK)
    rid = client.get("/api/residents", headers=desk,
                     params={"unit": "1-2-1502"}).json()["data"][0]["id"]
    assert client.post(f"/api/residents/{rid}/card-lost", headers=desk).status_code == 200
    assert login(client, method="card", card="04A3150201") == 401
    again = client.post(f"/api/residents/{rid}/card-lost", headers=desk)
    assert again.status_code == 409
    assert client.post(f"/api/residents/{rid}/card", headers=desk,
                       json={"card": "04A3150299"}).status_code == 200
    assert login(client, method="card", card="04A3150299") == 201
    assert [a for _, a in audit_actions(client, f"resident:{rid}")] == [
        "resident.card_lost", "resident.card_issued"]


def test_only_the_desk_keeps_the_register(client: TestClient) -> None:
    op = auth(client, "operator", "operator123")
    assert client.get("/api/residents", headers=op).status_code == 403
    assert client.post("/api/residents", headers=op, json={
        "unit": "1-1-0101", "name": "X", "phone": "139-1234-5678"}).status_code == 403


BAD = {  # row number in the file -> (the broken row's edit, what the refusal must say)
    101: ({"unit": "9-9-9999"}, "no flat '9-9-9999'"),
    502: ({"phone": "n/a"}, "not a phone number"),
    903: ({"name": ""}, "name is empty"),
    1404: ({"language": "fr"}, "zh or en"),
    1905: ({"card": "04AA000010"}, "card 04AA000010 is already on row 12"),
}


def two_thousand(units: list[str]) -> bytes:
    """2,000 residents over the site's flats (seven or so a flat), five rows broken."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "name", "phone", "language", "elderly_alone", "card", "contacts"])
    for i in range(2000):
        row = {"unit": units[i % len(units)], "name": f"住户{i:04d}",
               "phone": f"139{i:08d}", "language": "zh" if i % 3 else "en",
               "elderly_alone": "yes" if i % 17 == 0 else "no", "card": f"04AA{i:06d}",
               "contacts": f"child:家属{i}:138{i:08d}" if i % 5 == 0 else ""}
        edit = BAD.get(i + 2)
        if edit:
            row.update(edit[0])
        sheet.append(list(row.values()))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_importing_2000_residents_names_the_5_bad_rows_takes_the_rest_and_is_idempotent(
        client: TestClient) -> None:
    desk = auth(client, *DESK)
    site = client.app.state.site  # type: ignore[attr-defined]
    data = two_thousand(sorted(site.units))

    def send(dry_run: bool) -> dict[str, object]:
        r = client.post("/api/residents/import", headers=desk, params={"dry_run": dry_run},
                        files={"file": ("residents.xlsx", data)})
        assert r.status_code == 200, r.text
        return dict(r.json())

    def count() -> int:
        with client.app.state.sessions() as s:  # type: ignore[attr-defined]
            return int(s.scalar(select(func.count()).select_from(RegisteredResident)) or 0)

    before = count()
    dry = send(True)
    refused = {r["row"]: r["reason"] for r in dry["refused"]}  # type: ignore[attr-defined]
    assert sorted(refused) == sorted(BAD)
    for n, (_, says) in BAD.items():
        assert says in refused[n], (n, refused[n])
    assert (dry["rows"], dry["created"], dry["updated"]) == (2000, 1995, 0)
    assert count() == before  # a dry run changes nothing

    done = send(False)
    assert (done["created"], done["updated"], len(done["refused"])) == (1995, 0, 5)  # type: ignore
    assert count() == before + 1995
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        audits = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.like("resident.import%")))
    second = send(False)
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 1995)
    assert count() == before + 1995
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        after = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "resident.import"))
    assert after == audits - 1  # the second import wrote only its file summary
    assert login(client, method="card", card="04AA000003") == 201  # an imported card works


def test_a_parcel_for_a_flat_is_told_to_whoever_the_register_says_lives_there(
        client: TestClient, told: RecordingResidents) -> None:
    desk = auth(client, *DESK)
    rid = client.post("/api/residents", headers=desk, json={
        "unit": "1-1-0104", "name": "许晴", "phone": "139-5555-0104"}).json()["id"]
    r = client.post("/api/items", headers=desk, json={"unit": "1-1-0104", "location": "B-01"})
    assert r.status_code == 201, r.text
    sent = told.sent
    assert ("1-1-0104", "139-5555-0104") in [(u, p) for u, p, _ in sent]
    client.post(f"/api/residents/{rid}/move-out", headers=desk, json={})
    before = len(sent)
    client.post("/api/items", headers=desk, json={"unit": "1-1-0104", "location": "B-02"})
    assert [p for _, p, _ in sent[before:]] == []  # moved out: no longer told

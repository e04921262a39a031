"""Lost and found: an item recorded with its photo and place, handed over only against ID."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from controlroom.core.models import AuditEntry
from tests.utils import auth

DESK = ("frontdesk", "frontdesk123")


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def test_a_found_item_with_photo_and_place_is_claimed_against_id_once(client: TestClient
                                                                        ) -> None:
    desk = auth(client, *DESK)
    photo = png()
    r = client.post("/api/lost-found", headers=desk, data={
        "description": "黑色钱包 black wallet", "place": "2号楼电梯 lift of building 2",
        "found_by": "保洁 王阿姨", "storage": "LF-01", "found_at": "2026-11-22T08:15:00+08:00"},
        files={"photo": ("wallet.png", photo, "image/png")})
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["has_photo"] and item["state"] == "held" and item["place"].startswith("2号楼")
    assert datetime.fromisoformat(item["found_at"]) == datetime(2026, 11, 22, 0, 15, tzinfo=UTC)
    got = client.get(f"/api/lost-found/{item['id']}/photo", headers=desk)
    assert got.status_code == 200 and got.content == photo
    assert got.headers["content-type"] == "image/png"
    listed = client.get("/api/lost-found", headers=desk).json()
    assert [i["id"] for i in listed["data"]] == [item["id"]]

    no_id = client.post(f"/api/lost-found/{item['id']}/claim", headers=desk,
                        json={"claimant": "周建国", "id_number": ""})
    assert no_id.status_code == 422 and no_id.json()["code"] == "id_required"
    ok = client.post(f"/api/lost-found/{item['id']}/claim", headers=desk,
                     json={"claimant": "周建国", "id_number": "310101198001011234",
                           "unit": "2-1-0304"})
    assert ok.status_code == 200
    assert ok.json()["state"] == "claimed" and ok.json()["claimant_id"].endswith("1234")
    assert ok.json()["claimant_id"].startswith("**************")
    again = client.post(f"/api/lost-found/{item['id']}/claim", headers=desk,
                        json={"claimant": "someone", "id_number": "310101198001019999"})
    assert again.status_code == 410 and again.json()["code"] == "claimed"
    assert client.get("/api/lost-found", headers=desk).json()["count"] == 0
    with client.app.state.sessions() as s:  # type: ignore[attr-defined]
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.target == f"found:{item['id']}").order_by(AuditEntry.id)))
    assert actions == ["found.record", "found.claim"]


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_recorded(
        client: TestClient) -> None:
    desk = auth(client, *DESK)
    r = client.post("/api/lost-found", headers=desk, data={"description": "umbrella",
                                                           "place": "gate"},
                    files={"photo": ("x.png", b"MZ not an image", "image/png")})
    assert r.status_code == 422 and "photo" in r.json()["detail"]
    assert client.get("/api/lost-found", headers=desk).json()["count"] == 0
    naive = client.post("/api/lost-found", headers=desk, data={
        "description": "umbrella", "place": "gate", "found_at": "2026-11-22T08:15:00"})
    assert naive.status_code == 422 and "found_at" in naive.json()["detail"]

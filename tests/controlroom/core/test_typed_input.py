"""Codes as a Chinese keyboard types them (issue 19, item 8): full-width digits and dashes in a
flat, Chinese characters in a shelf location, folded server-side so the API accepts them too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from controlroom.core.typed_input import fold_code
from tests.utils import auth


@pytest.mark.parametrize(("typed", "kept"), [
    ("1－2－1502", "1-2-1502"),  # full-width dashes (U+FF0D), ASCII digits
    ("１-２-１５０２", "1-2-1502"),  # full-width digits
    ("１－２－１５０２", "1-2-1502"),
    ("1——2——1502", "1-2-1502"),  # Chinese punctuation: Shift and minus give two em dashes
    ("1–2−1502", "1-2-1502"),  # en dash, minus sign
    ("\u30001-2-1502 ", "1-2-1502"),  # ideographic space
    ("Ａ区03", "A区03"),
    ("A-03", "A-03"),
])
def test_a_typed_code_is_folded_to_ascii_digits_and_hyphens(typed: str, kept: str) -> None:
    assert fold_code(typed) == kept


def test_the_desk_checks_in_with_a_full_width_flat_and_a_chinese_shelf(client: TestClient
                                                                      ) -> None:
    desk = auth(client, "frontdesk", "frontdesk123")
    r = client.post("/api/items", headers=desk, json={"unit": "1－2－1502", "location": "A区03"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert (out["item"]["unit"], out["item"]["location"]) == ("1-2-1502", "A区03")
    assert (out["stub"]["unit"], out["stub"]["location"]) == ("1-2-1502", "A区03")

    r = client.post("/api/items", headers=desk, json={"unit": "１-２-１５０２",
                                                        "location": "Ｂ－１２"})
    assert r.status_code == 201, r.text
    assert (r.json()["item"]["unit"], r.json()["item"]["location"]) == ("1-2-1502", "B-12")

    # The register's flat filter folds too, and the full-width pickup code releases.
    held = client.get("/api/items", headers=desk, params={"unit": "１－２－１５０２"}).json()
    assert held["count"] == 2
    wide = out["code"].translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    assert wide != out["code"]
    r = client.post(f"/api/items/{out['item']['id']}/release", headers=desk,
                    json={"pieces": 1, "code": wide})
    assert r.status_code == 200, r.text


def test_a_location_that_is_still_wrong_is_refused_naming_the_field(client: TestClient
                                                                   ) -> None:
    desk = auth(client, "frontdesk", "frontdesk123")
    r = client.post("/api/items", headers=desk, json={"unit": "1-2-1502", "location": "A 03/x"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "location"]
    assert r.json()["errors"][0]["type"] == "string_pattern_mismatch"


def test_a_desk_request_takes_a_full_width_flat(client: TestClient) -> None:
    desk = auth(client, "frontdesk", "frontdesk123")
    r = client.post("/api/requests", headers=desk,
                    json={"unit": "１——２——１５０２", "type": "help"})
    assert r.status_code in (200, 201), r.text
    assert r.json()["unit"] == "1-2-1502"

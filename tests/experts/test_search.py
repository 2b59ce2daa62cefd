"""People are found in search by their verified expertise, and only while it is verified."""

from __future__ import annotations

import re


def people_found(client, q: str) -> list[str]:
    response = client.get("/search", query_string={"q": q, "kind": "person"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [
        re.sub(r"<[^>]+>", "", t).strip()
        for t in re.findall(r'<h2 class="h6 mb-1"><a href="[^"]+">(.*?)</a>', html, re.S)
    ]


def test_verified_expertise_makes_people_findable(
    client, cast, login, declare, verify, expertise_row
):
    declare(cast.member, "calibration, tomography")
    assert people_found(client, "tomography") == []  # declared only
    verify(cast.member, "tomography", by=cast.owner, space=cast.space)
    assert people_found(client, "tomography") == ["Greta"]
    row = expertise_row(cast.member, "tomography")
    login(client, cast.owner)
    client.submit(f"/expertise/{row.id}/revoke")
    assert people_found(client, "tomography") == []

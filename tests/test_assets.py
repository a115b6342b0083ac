"""Static assets carry their content hash, are cached as immutable for that hash, and are sent
gzip-compressed to clients that accept it — the same bytes, unpacked."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from congress import assets

STYLESHEET = re.compile(r'href="(/(?:static|vendor)/[^"?]+\.css)\?v=([0-9a-f]{12})"')


def _stylesheets(client) -> list[tuple[str, str]]:
    return STYLESHEET.findall(client.get("/").get_data(as_text=True))


def test_pages_link_assets_by_their_content_hash(app, client):
    found = _stylesheets(client)
    assert {p.split("/", 2)[1] for p, _v in found} == {"static", "vendor"}
    app_css = next(v for p, v in found if p == "/static/css/app.css")
    assert app_css == assets.content_hash(str(Path(app.static_folder) / "css" / "app.css"))


@pytest.mark.parametrize("path", ["/static/css/app.css",
                                  "/vendor/@utrecht/component-library-css/dist/index.css"])
def test_an_asset_by_its_hash_is_immutable_and_compressed_for_who_accepts_gzip(app, client, path):
    version = dict(_stylesheets(client))[path]
    plain = client.get(f"{path}?v={version}")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "immutable" in plain.headers["Cache-Control"] and "public" in plain.headers["Cache-Control"]
    assert "max-age=31536000" in plain.headers["Cache-Control"] and "no-cache" not in plain.headers["Cache-Control"]
    packed = client.get(f"{path}?v={version}", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 2
    assert packed.headers["ETag"] != plain.headers["ETag"]  # a cache never mixes the two


def test_without_or_with_an_old_hash_the_usual_caching_and_no_gzip_refused(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(url)
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")
    refused = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    ranged = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and "Content-Encoding" not in ranged.headers and len(ranged.data) == 100


def test_a_changed_file_gets_a_new_hash(tmp_path):
    file = tmp_path / "a.css"
    file.write_text("body { color: #111; }")
    first = assets.content_hash(str(file))
    file.write_text("body { color: #222; }  ")
    assert assets.content_hash(str(file)) != first


def test_conditional_requests_still_answer_304(client):
    first = client.get("/static/css/app.css")
    again = client.get("/static/css/app.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304

"""Web API security: tokens beyond loopback, host names, body limits, no path traversal."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from garant.errors import ConfigError, NotFoundError
from garant.web.security import (
    MAX_BODY_BYTES,
    check_bind,
    is_loopback,
    new_run_id,
    run_file,
    token_matches,
)

TINY_RUN = {"packages": ["no-guarantees"], "runs": 0}  # invalid runs: never assessed


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_check_bind() -> None:
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", "x" * 16)
    with pytest.raises(
        ConfigError, match=r"--host 0\.0\.0\.0: serving beyond loopback needs a token"
    ):
        check_bind("0.0.0.0", None)
    with pytest.raises(ConfigError, match="at least 16 characters"):
        check_bind("127.0.0.1", "short")
    with pytest.raises(ConfigError, match="no spaces"):
        check_bind("0.0.0.0", "with spaces in the token")
    with pytest.raises(ConfigError, match="empty host"):
        check_bind(" ", None)


def test_create_app_refuses_beyond_loopback_without_token(web_store: Path) -> None:
    from garant.web.app import create_app

    with pytest.raises(ConfigError, match="needs a token"):
        create_app(str(web_store), host="0.0.0.0")


def test_token_matches() -> None:
    assert token_matches("Bearer abc", "abc")
    assert token_matches("bearer abc", "abc")
    assert not token_matches("Bearer abd", "abc")
    assert not token_matches("Basic abc", "abc")
    assert not token_matches(None, "abc")
    assert not token_matches("", "abc")


def test_writes_need_the_token(token_client: Any, token: str) -> None:
    r = token_client.post("/api/assessments", json=TINY_RUN)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "token" in r.json()["detail"]
    r = token_client.post(
        "/api/assessments",
        json=TINY_RUN,
        headers={"Authorization": "Bearer wrong-token-0123456789"},
    )
    assert r.status_code == 401
    # The right token passes the check (and the body's invalid run count is then refused).
    r = token_client.post(
        "/api/assessments", json=TINY_RUN, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 422
    assert "runs" in r.json()["detail"]


def test_reads_and_validation_need_no_token(token_client: Any) -> None:
    assert token_client.get("/api/dates").status_code == 200
    r = token_client.post("/api/packages/validate", json={"toml": 'name = "x"\n'})
    assert r.status_code == 200
    assert r.json()["ok"] is True


def test_loopback_app_refuses_other_host_names(client: Any) -> None:
    assert client.get("/api/dates", headers={"Host": "localhost:8765"}).status_code == 200
    r = client.get("/api/dates", headers={"Host": "evil.example"})
    assert r.status_code == 400


def test_token_app_accepts_any_host_name(token_client: Any) -> None:
    assert token_client.get("/api/dates", headers={"Host": "garant.example"}).status_code == 200


def test_body_over_the_limit_is_413(client: Any) -> None:
    big = '{"toml": "' + "#" * (MAX_BODY_BYTES + 10) + '"}'
    r = client.post(
        "/api/packages/validate", content=big, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert "KiB" in r.json()["detail"]


def test_streamed_body_over_the_limit_is_413(client: Any) -> None:
    chunk = b"#" * 65536

    def body() -> Any:
        yield b'{"toml": "'
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk
        yield b'"}'

    r = client.post(
        "/api/packages/validate", content=body(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_toml_over_64_kib_is_refused(client: Any) -> None:
    text = "#" * (64 * 1024 + 1)
    r = client.post("/api/packages/validate", json={"toml": text})
    assert r.status_code == 422
    assert r.json()["detail"].startswith("toml:")
    # Multi-byte characters count in bytes: 30,000 'é' are 60,000 bytes, fine;
    # 40,000 are 80,000 bytes, too many.
    assert (
        client.post("/api/packages/validate", json={"toml": "#" + "é" * 30_000}).status_code == 200
    )
    assert (
        client.post("/api/packages/validate", json={"toml": "#" + "é" * 40_000}).status_code == 422
    )


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        ("toml=name%3D%22x%22", "application/x-www-form-urlencoded"),
        ('{"toml": "name = \\"x\\""}', "text/plain"),
    ],
)
def test_posts_must_be_json(client: Any, content: str, ctype: str) -> None:
    r = client.post("/api/packages/validate", content=content, headers={"Content-Type": ctype})
    assert r.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {"toml": 'name = "x"', "extra": 1},
        {"toml": 42},
        {},
        [],
    ],
)
def test_validate_bodies_are_checked(client: Any, body: Any) -> None:
    r = client.post("/api/packages/validate", json=body)
    assert r.status_code == 422
    assert "\n" not in r.json()["detail"]


def test_malformed_json_is_422(client: Any) -> None:
    r = client.post(
        "/api/packages/validate", content="{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    "path",
    [
        "/api/packages/pyproject.toml",  # a file in the working folder: never read
        "/api/packages/..%2F..%2Fpyproject.toml",
        "/api/packages/_defaults",
        "/api/packages/%2Fetc%2Fpasswd",
        "/reports/0123456789abcdef01234567/report.html",  # well-formed id, no such run
        "/reports/..%2F..%2Fetc/passwd",
        "/reports/../../etc/passwd",
        "/api/assessments/..%2F..%2Fetc",
        "/api/assessments/0123456789abcdef01234567/layers",
        "/api/ceasefire/..%2F..%2Fetc.geojson",
    ],
)
def test_no_path_traversal_through_the_api(client: Any, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404, r.text
    assert "root:" not in r.text


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/..%2Fsecret.txt", "/%2e%2e/secret.txt", "/static/../secret.txt"]
)
def test_no_path_traversal_through_the_front_end(token_client: Any, path: str) -> None:
    assert token_client.get("/").text.endswith("ok")
    r = token_client.get(path)
    assert r.status_code == 404
    assert "not for the web" not in r.text


def test_component_paths_are_refused(client: Any, tmp_path: Path) -> None:
    outside = tmp_path / "land.toml"
    outside.write_text('name = "x"\n')
    for ref in ("/etc/passwd", str(outside), "../data/land/presets/x.toml", "a\\b", "~/x"):
        toml = f"name = 'x'\n\n[land]\npreset = '{ref}'\n"
        body = client.post("/api/packages/validate", json={"toml": toml}).json()
        assert body["ok"] is False
        assert body["errors"] == [
            f"package.toml:4: land.preset: {ref[:60]!r} is not a "
            "bundled preset name (file paths are not accepted from the web)"
        ]
    toml = "name = 'x'\n[air]\npreset = 'sky-shield'\naddons = ['../../etc/x.toml']\n"
    body = client.post("/api/packages/validate", json={"toml": toml}).json()
    assert body["errors"][0].startswith("package.toml:4: air.addons[0]: '../../etc/x.toml'")


def test_run_file(tmp_path: Path) -> None:
    rid = new_run_id()
    folder = tmp_path / rid
    folder.mkdir()
    (folder / "report.html").write_text("hi")
    (tmp_path / "secret.txt").write_text("no")
    os.symlink(tmp_path / "secret.txt", folder / "link.html")
    assert run_file(tmp_path, rid, "report.html") == folder.resolve() / "report.html"
    for name in ("../secret.txt", "..", ".hidden", "link.html", "missing.png", "a/b.png", ""):
        with pytest.raises(NotFoundError):
            run_file(tmp_path, rid, name)
    for bad in ("../x", "ABC", rid[:-1], rid + "0"):
        with pytest.raises(NotFoundError):
            run_file(tmp_path, bad, "report.html")


def test_run_ids_are_unguessable() -> None:
    ids = {new_run_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 24 for i in ids)

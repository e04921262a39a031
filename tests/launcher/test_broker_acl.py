"""The broker's password and ACL files, as generated from the site file."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from config import load_site
from config.credentials import SecretError, device_password, load_secret, service_password
from launcher.broker_acl import acl_file, main, password_file, password_line
from tests.support.sites import small_site_text, write_site

SECRET = b"s" * 32


def _site(tmp: Path):  # type: ignore[no-untyped-def]
    return load_site(write_site(tmp, small_site_text("s1", floors=1, flats=2)))


def test_a_password_line_is_mosquittos_pbkdf2_sha512_format() -> None:
    line = password_line("gas-1", "pw", salt=b"0123456789ab", iterations=101)
    user, _, rest = line.partition(":")
    _, kind, iterations, salt, digest = rest.split("$")
    assert (user, kind, iterations) == ("gas-1", "7", "101")
    assert base64.b64decode(digest) == hashlib.pbkdf2_hmac(
        "sha512", b"pw", base64.b64decode(salt), 101)


def test_every_device_and_the_gateway_get_an_account_of_their_own(tmp_path: Path) -> None:
    site = _site(tmp_path)
    users = [line.split(":")[0] for line in password_file(site, SECRET).splitlines()]
    assert sorted(users) == sorted([*site.devices, "gateway"])
    pws = {device_password(SECRET, "s1", d) for d in site.devices}
    assert len(pws) == len(site.devices)  # one device's password tells nothing of another's
    assert service_password(SECRET, "s1", "gateway") not in pws
    assert device_password(SECRET, "s2", "gas-1-1-0101") != device_password(
        SECRET, "s1", "gas-1-1-0101")


def test_a_device_may_write_only_its_own_topics_and_read_only_its_commands(
        tmp_path: Path) -> None:
    acl = acl_file(_site(tmp_path))
    block = acl.split("\nuser gas-1-1-0101\n")[1].split("\n\n")[0].splitlines()
    assert block == [f"topic write estate/v1/s1/gas-1-1-0101/{ch}"
                     for ch in ("evt", "tel", "state", "ack")] + [
        "topic read estate/v1/s1/gas-1-1-0101/cmd"]
    gateway = acl.split("\nuser gateway\n")[1].split("\n\n")[0].splitlines()
    assert "topic write estate/v1/s1/+/cmd" in gateway
    assert not any(line.startswith("pattern") for line in acl.splitlines())  # no catch-alls


def test_the_command_writes_owner_only_files_and_prints_a_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_site(tmp_path, small_site_text("s1"))
    secret = tmp_path / "secret"
    args = ["--config", str(tmp_path / "site.toml"), "--secret-file", str(secret)]
    assert main([*args, "--create-secret", "--out", str(tmp_path / "b")]) == 0
    assert os.stat(secret).st_mode & 0o077 == 0
    assert os.stat(tmp_path / "b" / "passwd").st_mode & 0o077 == 0
    assert main([*args, "--create-secret"]) == 1  # never overwrites a secret
    capsys.readouterr()
    assert main([*args, "--password", "gas-1-1-0101"]) == 0
    assert capsys.readouterr().out.strip() == device_password(
        load_secret(secret, env={}), "s1", "gas-1-1-0101")


def test_a_missing_or_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretError, match="no broker secret"):
        load_secret(tmp_path / "nope", env={})
    with pytest.raises(SecretError, match="at least"):
        load_secret(None, env={"BUTLER_BROKER_SECRET": "short"})

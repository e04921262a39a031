"""The broker's password and ACL files, as generated from the site file."""

from __future__ import annotations

import base64
import getpass
import hashlib
import os
from pathlib import Path

import pytest

from config import load_site
from config.credentials import SecretError, device_password, load_secret, service_password
from launcher.broker_acl import acl_file, main, password_file, password_line
from launcher.mosquitto import MOSQUITTO
from launcher.processes import ProcessGroup, free_port
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


@pytest.mark.mosquitto
@pytest.mark.skipif(MOSQUITTO is None, reason="mosquitto is not installed "
                    "(scripts/system-deps.sh test installs it)")
def test_the_generated_mosquitto_conf_runs_and_lets_only_the_sites_accounts_in(
        tmp_path: Path) -> None:
    """`--conf` writes mosquitto's configuration from the site file (its MQTT port, the
    password and ACL files); mosquitto starts with it, the gateway's account connects and an
    anonymous client is refused. Only the persistence directory and log destination are
    moved into the test's own directory."""
    port = free_port()
    write_site(tmp_path, f'[mqtt]\nurl = "mqtt://127.0.0.1:{port}"\n' + small_site_text("s2"))
    secret = tmp_path / "secret"
    conf = tmp_path / "etc" / "butler.conf"
    assert main(["--config", str(tmp_path / "site.toml"), "--secret-file", str(secret),
                 "--create-secret", "--out", str(tmp_path / "b"), "--conf", str(conf),
                 "--conf-user", getpass.getuser()]) == 0
    text = conf.read_text()
    assert f"listener {port} 0.0.0.0" in text and "allow_anonymous false" in text
    assert f"password_file {(tmp_path / 'b' / 'passwd').resolve()}" in text
    store = tmp_path / "store"
    store.mkdir()
    conf.write_text(text.replace("/var/lib/mosquitto/", f"{store}/")
                    .replace("log_dest syslog", "log_dest stdout"))
    group = ProcessGroup(tmp_path / "log")
    try:
        child = group.start("mosquitto", [MOSQUITTO, "-c", str(conf)], python=False)
        group.wait_port("127.0.0.1", port, child)
        password = service_password(load_secret(secret, env={}), "s2", "gateway")
        assert _connects(port, "gateway", password) == 0
        assert _connects(port, None, None) != 0
    finally:
        group.stop_all()


def _connects(port: int, user: str | None, password: str | None) -> int:
    """The CONNACK's reason code (0: accepted)."""
    import threading

    import paho.mqtt.client as mqtt

    got: list[int] = []
    done = threading.Event()
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if user:
        c.username_pw_set(user, password)

    def on_connect(_c, _u, _f, rc, _p=None) -> None:  # type: ignore[no-untyped-def]
        got.append(rc.value)
        done.set()

    c.on_connect = on_connect
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        assert done.wait(10), "no CONNACK"
        return got[0]
    finally:
        c.loop_stop()
        c.disconnect()

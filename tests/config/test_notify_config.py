"""The site file's `[notify]` section and its environment overrides (ARCHITECTURE §10):
`BUTLER_NOTIFY_<ROLE>` replaces that role's list, `BUTLER_SMS_URL` the SMS gateway."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings, SiteConfigError, load_site
from config.settings import NOTIFY_SUPERVISOR
from controlroom.app import _notify_config
from tests.support.sites import small_site_text, write_site

NOTIFY = '''
[notify]
sms_url = "http://sms.example/send"
quiet_hours = "22:00-07:00"
rate_per_hour = 3

[notify.roles]
supervisor = ["mailto://a:b@mail.example?to=sup@example.org", "wecombot://KEY"]
manager = ["dingtalk://TOKEN"]

[[residents]]
unit = "1-1-0101"
name = "Lee"
phone = "139-0000-0101"
language = "en"
'''


def test_the_site_files_notify_section_and_the_residents_language(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path, small_site_text() + NOTIFY))
    assert site.notify.roles == {
        "supervisor": ("mailto://a:b@mail.example?to=sup@example.org", "wecombot://KEY"),
        "manager": ("dingtalk://TOKEN",)}
    assert (site.notify.sms_url, site.notify.quiet_hours, site.notify.rate_per_hour) == (
        "http://sms.example/send", "22:00-07:00", 3)
    assert site.residents[0].language == "en"


def test_the_environment_replaces_a_roles_list_and_the_sms_gateway(tmp_path: Path) -> None:
    site = load_site(write_site(tmp_path, small_site_text() + NOTIFY))
    env = {"BUTLER_NOTIFY_SUPERVISOR": "json://ops.example/a  jsons://ops.example/b",
           "BUTLER_SMS_URL": "http://127.0.0.1:9999/sms"}
    config = _notify_config(site, Settings.for_controlroom(site, env))
    assert config.roles == {"supervisor": ("json://ops.example/a", "jsons://ops.example/b"),
                            "manager": ("dingtalk://TOKEN",)}  # the others as in the file
    assert config.sms_url == "http://127.0.0.1:9999/sms"
    assert NOTIFY_SUPERVISOR.read({}) == ()
    unset = _notify_config(site, Settings.for_controlroom(site, {}))
    assert unset.roles == site.notify.roles and unset.sms_url == "http://sms.example/send"


@pytest.mark.parametrize(("text", "field"), [
    ('[notify]\nquiet_hours = "late"\n', "notify.quiet_hours"),
    ('[notify]\nrate_per_hour = -1\n', "notify.rate_per_hour"),
    ('[notify.roles]\nsupervisor = "mailto://x"\n', "notify.roles.supervisor"),
])
def test_a_bad_notify_setting_is_named(tmp_path: Path, text: str, field: str) -> None:
    with pytest.raises(SiteConfigError) as err:
        load_site(write_site(tmp_path, small_site_text() + text))
    assert field in str(err.value)

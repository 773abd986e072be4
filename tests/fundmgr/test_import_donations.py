"""import_donations: Chinese headers in GB18030, all rows or none, rows named."""

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from fundmgr.inflows.models import Donation
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = "社区,捐赠人类别,捐赠人,匿名,金额,支付方式,收款日期,流水号,定向基金\n"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-06-15 10:00 +08:00", tick=False), translation.override("en"):
        yield


@pytest.fixture
def officer():
    c = f.community("IMD")
    return f.user("imd-officer", (c, "officer"))


def _file(tmp_path, body: str):
    path = tmp_path / "donations.csv"
    path.write_bytes((HEADER + body).encode("gb18030"))
    return str(path)


def test_a_good_file_is_recorded_and_a_second_run_skips_it(tmp_path, officer, capsys):
    path = _file(
        tmp_path,
        'IMD,居民,张三,,50.00,微信,2026-06-01,W1,\nIMD,企业,,是,"¥1,000.00",银行转账,2026-06-02,B1,\n',
    )
    call_command("import_donations", path, "--user", officer.username)
    assert Donation.objects.count() == 2
    assert Donation.objects.get(reference="B1").anonymous
    call_command("import_donations", path, "--user", officer.username)
    assert "skipped 2" in capsys.readouterr().out and Donation.objects.count() == 2


def test_one_bad_row_writes_nothing_and_is_named(tmp_path, officer, capsys):
    path = _file(
        tmp_path,
        "IMD,居民,张三,,50.00,微信,2026-06-01,W1,\nIMD,居民,李四,,20.00,微信,2026-06-01,W2,NOPE\nIMD,居民,王五,,-3,微信,2026-06-01,W3,\n",
    )
    with pytest.raises(CommandError):
        call_command("import_donations", path, "--user", officer.username)
    err = capsys.readouterr().err
    assert "row 3: fund: There is no restricted fund or purpose NOPE" in err
    assert "row 4:" in err
    assert Donation.objects.count() == 0

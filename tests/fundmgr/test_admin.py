"""The administrator's set-up goes through the services."""

import datetime as dt

import pytest
from django.urls import reverse

from fundmgr.models import Community, Income, SplitPolicy
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_community_added_in_admin_gets_its_book_chart_fund_and_policy(admin_client):
    hub = f.hub("HUBX")
    response = admin_client.post(
        reverse("admin:fundmgr_community_add"),
        {
            "code": "NEW01",
            "name": "新社区",
            "subdistrict": "新街道",
            "currency": "CNY",
            "hub": hub.pk,
            "review_threshold_0": "3000",
            "review_threshold_1": "CNY",
            "max_income_0": "1000000",
            "max_income_1": "CNY",
            "one_reviewer_up_to_0": "3000",
            "one_reviewer_up_to_1": "CNY",
            "committee_from_0": "30000",
            "committee_from_1": "CNY",
            "committee_quorum": "7",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    community = Community.objects.get(code="NEW01")
    assert community.book.code == "NEW01"
    assert {"1001", "1002", "2241", "3101"} <= set(
        community.book.accounts.values_list("code", flat=True)
    )
    assert community.fund.name == "新社区社区基金"
    assert SplitPolicy.objects.get(community=community).bps == (7000, 2500, 500)
    assert (community.committee_from.amount, community.committee_quorum) == (30000, 7)


def _adopted(c, held_on=dt.date(2026, 1, 5)):
    officer = f.user(None, (c, "officer"))
    return f.decided_item(c, officer, f.user(None, (c, "reviewer")), held_on=held_on)


def test_a_policy_cannot_be_edited_in_admin_and_a_new_one_is_checked(admin_client):
    c = f.community()
    item = _adopted(c)
    policy = SplitPolicy.objects.get(community=c)
    change = admin_client.post(
        reverse("admin:fundmgr_splitpolicy_change", args=[policy.pk]),
        {"provider_bp": 1, "hub_bp": 1, "fund_bp": 9998},
    )
    assert change.status_code == 403
    admin_client.post(
        reverse("admin:fundmgr_splitpolicy_add"),
        {
            "community": c.pk,
            "provider_bp": 6000,
            "hub_bp": 3000,
            "fund_bp": 900,
            "effective_from": "2030-01-01",
            "decision": item.pk,
        },
    )
    assert SplitPolicy.objects.filter(community=c).count() == 1
    admin_client.post(
        reverse("admin:fundmgr_splitpolicy_add"),
        {
            "community": c.pk,
            "provider_bp": 6000,
            "hub_bp": 3000,
            "fund_bp": 1000,
            "effective_from": "2030-01-01",
            "decision": item.pk,
        },
    )
    new = SplitPolicy.objects.get(community=c, version=2)
    assert (new.effective_from, new.decision, new.approved_by) == (dt.date(2030, 1, 1), item, "")


def test_income_is_view_only_in_admin(admin_client):
    c = f.community()
    officer = f.user(None, (c, "officer"))
    from fundmgr.services.income import income_record

    income, _ = income_record(f.draft(c, f.package(c)), recorded_by=officer)
    assert admin_client.get(reverse("admin:fundmgr_income_changelist")).status_code == 200
    assert (
        admin_client.post(
            reverse("admin:fundmgr_income_delete", args=[income.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Income.objects.count() == 1


def _policy_form(c, **over):
    return {
        "community": c.pk,
        "provider_bp": 7000,
        "hub_bp": 2500,
        "fund_bp": 500,
        "effective_from": "2030-01-01",
        **over,
    }


def test_a_policy_without_a_passed_item_of_its_community_held_by_its_start_is_refused(
    admin_client,
):
    c = f.community()
    other = f.community()
    late = _adopted(c, held_on=dt.date(2026, 6, 1))
    cases = [
        ({}, "请选择批准此事的决议事项"),
        ({"decision": _adopted(other).pk}, "这项决议属于其他社区"),
        ({"decision": late.pk, "effective_from": "2026-05-01"}, "晚于2026-05-01"),
    ]
    for over, words in cases:
        response = admin_client.post(
            reverse("admin:fundmgr_splitpolicy_add"), _policy_form(c, **over)
        )
        page = response.content.decode()
        assert response.status_code == 200 and words in page, words
        assert "成功" not in page
    assert SplitPolicy.objects.filter(community=c).count() == 1


def test_an_old_policy_shows_its_free_text_read_only(admin_client):
    c = f.community()
    policy = SplitPolicy.objects.get(community=c)
    page = admin_client.get(reverse("admin:fundmgr_splitpolicy_change", args=[policy.pk]))
    assert page.status_code == 200 and policy.approved_by in page.content.decode()


def test_a_refused_policy_is_a_form_error_in_chinese_with_the_input_kept(admin_client):
    c = f.community()
    response = admin_client.post(
        reverse("admin:fundmgr_splitpolicy_add"), _policy_form(c, fund_bp=600)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "加起来" in page and "10100" in page  # says what is wrong, in Chinese
    assert 'value="600"' in page  # the input is kept
    assert "成功" not in page
    assert SplitPolicy.objects.filter(community=c).count() == 1


def test_a_policy_dated_inside_a_closed_month_is_refused_beside_its_field(admin_client):
    c = f.community()
    from ledger.services import close_through

    close_through(book=c.book, date=dt.date(2029, 12, 31))
    c.refresh_from_db()
    response = admin_client.post(
        reverse("admin:fundmgr_splitpolicy_add"), _policy_form(c, effective_from="2029-12-15")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2029-12-31" in page and "成功" not in page
    assert SplitPolicy.objects.filter(community=c).count() == 1


def test_a_package_with_no_price_is_a_form_error_not_a_500(admin_client):
    c = f.community()
    prov = f.provider()
    response = admin_client.post(
        reverse("admin:fundmgr_servicepackage_add"),
        {
            "community": c.pk,
            "code": "NOPRICE",
            "name": "无价套餐",
            "provider": prov.pk,
            "price_public_benefit_0": "",
            "price_public_benefit_1": "CNY",
            "price_paid_0": "",
            "price_paid_1": "CNY",
            "price_low_cost_0": "",
            "price_low_cost_1": "CNY",
            "low_cost_eligibility": "",
            "description": "",
            "active": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "成功" not in page and "价格" in page
    assert not c.packages.exists()

"""The chart of accounts of a community's book, and the helpers that read account codes.

Every book has a cash or bank account per payment method, a payable to the hub, the
community fund, and a payable to each provider (`2202.<provider code>`, opened with its
first package). Code outside this module names accounts by these constants, never by
their literal codes.
"""

from __future__ import annotations

from ledger.models import Account, AccountType

from .models import Community, PaymentMethod, Provider

# Keyed by the method's value: a PaymentMethod is that string too.
METHOD_ACCOUNTS: dict[str, tuple[str, str]] = {
    PaymentMethod.CASH: ("1001", "库存现金"),
    PaymentMethod.BANK: ("1002", "银行存款"),
    PaymentMethod.WECHAT: ("1012.01", "其他货币资金—微信"),
    PaymentMethod.ALIPAY: ("1012.02", "其他货币资金—支付宝"),
    PaymentMethod.OTHER: ("1012.99", "其他货币资金—其他"),
}
CASH_CODES = frozenset(code for code, _name in METHOD_ACCOUNTS.values())
HUB_ACCOUNT = "2241"
FUND_ACCOUNT = "3101"
# The symbolic rent of spaces let for services (一元租金): the community's own income, not
# package revenue, so never split 70/25/5 (fundmgr/spaces/).
SPACE_RENT_ACCOUNT = "4601"
SPACE_RENT_NAME = "其他收入—场地象征性租金"
PROVIDER_ACCOUNT_PREFIX = "2202."
# Restricted sub-accounts of the fund (fundmgr/inflows/): named funds (冠名基金) and
# purposes a donor restricted a gift to (定向); each may be spent only for its purpose.
NAMED_FUND_PREFIX = "3101.N."
PURPOSE_FUND_PREFIX = "3101.D."
# A government purchase contract's receivable from the buyer, and its contra (billed,
# not yet paid): the buyer's payment clears both.
CONTRACT_RECEIVABLE_PREFIX = "1122.G."
CONTRACT_BILLED_PREFIX = "2401.G."
# The earmarks of decided projects (fundmgr/projects/): sub-accounts of the fund,
# 3101.E.<project number>. What they hold is still the fund's, reserved.
EARMARK_PREFIX = "3101.E."


def fund_fen(net: dict[str, int]) -> int:
    """The whole fund from net debits by code: free (3101) and earmarked (3101.E.*)."""
    return -sum(
        v for code, v in net.items() if code == FUND_ACCOUNT or code.startswith(EARMARK_PREFIX)
    )


def provider_account_code(provider: Provider) -> str:
    return PROVIDER_ACCOUNT_PREFIX + provider.code


def provider_code_of(account_code: str) -> str:
    """'2202.P01' -> 'P01': the provider a payable account belongs to."""
    return account_code[len(PROVIDER_ACCOUNT_PREFIX) :]


def party_name(account: Account) -> str:
    """'应付账款—阳光家政' -> '阳光家政': the party a payable is owed to."""
    return account.name.split("—", 1)[-1]


def method_account_code(method: str) -> str:
    return METHOD_ACCOUNTS[method][0]


def account(community: Community, code: str) -> Account:
    return Account.objects.get(book_id=community.book_id, code=code)


def provider_account(community: Community, provider: Provider) -> Account:
    """The provider's payable in this community's book, opened on first use."""
    found, _created = Account.objects.get_or_create(
        book_id=community.book_id,
        code=provider_account_code(provider),
        defaults={"name": f"应付账款—{provider.name}", "type": AccountType.LIABILITY},
    )
    return found

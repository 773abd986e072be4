"""Red flags: pure rules over facts about incomes, entries and disbursements, pointing at
where petty corruption usually hides. Each returns Flags with a plain-language
explanation, a severity and the evidence; thresholds are parameters (RULE_DEFAULTS)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from math import log10

HIGH, MEDIUM, LOW = "high", "medium", "low"

RULE_DEFAULTS = {
    "duplicate_window_minutes": 10,
    "split_window_days": 30,
    "split_near_fraction": Decimal("0.8"),
    "backdate_days": 30,
    "reversal_rate": Decimal("0.05"),
    "reversal_min_recorded": 20,
    "quick_approval_minutes": 2,
    "concentration_share": Decimal("0.5"),
    "concentration_min": 3,
    "outlier_min": 8,
    "round_share": Decimal("0.5"),
    "round_min": 10,
    "benford_min": 300,
    "night_from": 22,
    "night_to": 6,
    "stopped_days": 60,
}


@dataclass(frozen=True)
class IncomeFact:
    id: int
    receipt: str
    payer: str
    package: str
    provider: str
    amount: Decimal
    paid_at: dt.datetime  # local time
    recorded_at: dt.datetime
    recorded_by: str
    reversed: bool


@dataclass(frozen=True)
class DisbursementFact:
    id: int
    payee: str
    payee_account: str
    amount: Decimal
    requested_at: dt.datetime
    approved_at: dt.datetime | None
    paid: bool
    invoice_number: str
    invoice_date: dt.date | None
    attachments: tuple[str, ...] = ()  # sha256 of each


@dataclass(frozen=True)
class SettlementFact:
    provider: str
    paid_on: dt.date


@dataclass
class Flag:
    rule: str
    severity: str
    key: str  # stable: the same evidence raises the same flag once
    explanation: str
    evidence: list[dict] = field(default_factory=list)


def _inc(i: IncomeFact) -> dict:
    return {"kind": "income", "id": i.id, "label": i.receipt}


def _dis(d: DisbursementFact) -> dict:
    return {"kind": "disbursement", "id": d.id, "label": f"{d.payee} ¥{d.amount}"}


def duplicate_attachments(ds, **_) -> list[Flag]:
    by_hash = defaultdict(list)
    for d in ds:
        for sha in set(d.attachments):
            by_hash[sha].append(d)
    return [
        Flag(
            "duplicate_attachment",
            HIGH,
            f"sha:{sha}",
            f"同一份凭据文件（SHA-256 {sha[:12]}…）附在 {len(group)} 笔拨付上：一张发票可能被重复报销。",
            [_dis(d) for d in group],
        )
        for sha, group in sorted(by_hash.items())
        if len(group) > 1
    ]


def duplicate_invoices(ds, **_) -> list[Flag]:
    groups = defaultdict(list)
    for d in ds:
        if d.invoice_number:
            groups[(d.invoice_number, d.invoice_date, d.amount, d.payee)].append(d)
    return [
        Flag(
            "duplicate_invoice",
            HIGH,
            f"inv:{k[0]}:{k[1]}:{k[2]}:{k[3]}",
            f"发票号 {k[0]}、日期、金额和收款方完全相同的拨付出现了 {len(g)} 次。",
            [_dis(d) for d in g],
        )
        for k, g in groups.items()
        if len(g) > 1
    ]


def duplicate_payments(incomes, *, duplicate_window_minutes, **_) -> list[Flag]:
    flags = []
    groups = defaultdict(list)
    for i in incomes:
        if i.payer:
            groups[(i.payer, i.package, i.amount)].append(i)
    window = dt.timedelta(minutes=duplicate_window_minutes)
    for (_payer, _package, amount), group in groups.items():
        group.sort(key=lambda i: i.paid_at)
        for a, b in zip(group, group[1:], strict=False):
            if b.paid_at - a.paid_at <= window:
                flags.append(
                    Flag(
                        "duplicate_payment",
                        MEDIUM,
                        f"pay:{a.id}:{b.id}",
                        f"同一付款人、同一服务包、同一金额 ¥{amount} 在 "
                        f"{duplicate_window_minutes} 分钟内登记了两次：可能重复收款或重复登记。",
                        [_inc(a), _inc(b)],
                    )
                )
    return flags


def split_payments(
    ds, *, one_reviewer_up_to, split_window_days, split_near_fraction, **_
) -> list[Flag]:
    """Several payments to one payee, each just under the single-approval limit, that
    together exceed it within the window: a large payment cut to dodge approval."""
    flags = []
    near = one_reviewer_up_to * split_near_fraction
    by_payee = defaultdict(list)
    for d in ds:
        if near <= d.amount <= one_reviewer_up_to:
            by_payee[d.payee].append(d)
    window = dt.timedelta(days=split_window_days)
    for payee, group in by_payee.items():
        group.sort(key=lambda d: d.requested_at)
        start = 0
        for end in range(len(group)):
            while group[end].requested_at - group[start].requested_at > window:
                start += 1
            run = group[start : end + 1]
            if len(run) >= 2 and sum(d.amount for d in run) > one_reviewer_up_to:
                flags.append(
                    Flag(
                        "split_payment",
                        HIGH,
                        f"split:{payee}:{run[0].id}",
                        f"{split_window_days} 天内向“{payee}”拨付 {len(run)} 笔，每笔都略低于"
                        f"一人审批上限 ¥{one_reviewer_up_to}，合计 ¥{sum(d.amount for d in run)}："
                        "可能是拆分支付以规避审批。",
                        [_dis(d) for d in run],
                    )
                )
                break
    return flags


def no_evidence(ds, **_) -> list[Flag]:
    return [
        Flag("no_evidence", HIGH, f"bare:{d.id}", "已支付的拨付没有任何凭据（白条）。", [_dis(d)])
        for d in ds
        if d.paid and not d.attachments
    ]


def shared_accounts(ds, **_) -> list[Flag]:
    payees = defaultdict(set)
    members = defaultdict(list)
    for d in ds:
        account = "".join(d.payee_account.split())
        if account:
            payees[account].add(d.payee)
            members[account].append(d)
    return [
        Flag(
            "shared_account",
            HIGH,
            f"acct:{acct[-4:]}:{len(names)}:{sorted(names)}",
            f"{len(names)} 个不同的收款方使用同一个银行账号（尾号 {acct[-4:]}）。",
            [_dis(d) for d in members[acct]],
        )
        for acct, names in payees.items()
        if len(names) > 1
    ]


def amount_outliers(ds, *, outlier_min, **_) -> list[Flag]:
    amounts = sorted(d.amount for d in ds)
    if len(amounts) < outlier_min:
        return []
    q1, _q2, q3 = statistics.quantiles(amounts, n=4, method="inclusive")
    fence = q3 + (q3 - q1) * Decimal("1.5")
    return [
        Flag(
            "amount_outlier",
            MEDIUM,
            f"out:{d.id}",
            f"金额 ¥{d.amount} 高于本社区拨付的异常上限 ¥{fence:.2f}（Q3 + 1.5·IQR）。",
            [_dis(d)],
        )
        for d in ds
        if d.amount > fence
    ]


def round_numbers(ds, *, round_share, round_min, **_) -> list[Flag]:
    """An unusual share of round amounts, or of one repeated ending (…37.50 again and
    again): real expenses are rarely so tidy."""
    if len(ds) < round_min:
        return []
    flags = []
    rounds = [d for d in ds if d.amount % 100 == 0]
    share = Decimal(len(rounds)) / len(ds)
    if share > round_share:
        flags.append(
            Flag(
                "round_numbers",
                LOW,
                f"round:{len(ds)}",
                f"{len(ds)} 笔拨付中 {share:.0%} 是整百金额，真实开支很少这么整齐。",
                [_dis(d) for d in rounds[:20]],
            )
        )
    endings = Counter(f"{d.amount % 100:05.2f}" for d in ds if d.amount % 100)
    if endings:
        ending, count = endings.most_common(1)[0]
        if Decimal(count) / len(ds) > round_share:
            flags.append(
                Flag(
                    "repeated_ending",
                    LOW,
                    f"ending:{ending}:{len(ds)}",
                    f"{len(ds)} 笔拨付中有 {count} 笔金额以 {ending} 结尾。",
                    [_dis(d) for d in ds if f"{d.amount % 100:05.2f}" == ending][:20],
                )
            )
    return flags


def off_hours(incomes, *, night_from, night_to, holidays=frozenset(), **_) -> list[Flag]:
    """Income recorded at night, on a weekend or on a public holiday (settings
    PUBLIC_HOLIDAYS), one flag per officer and month."""
    groups = defaultdict(list)
    for i in incomes:
        at = i.recorded_at
        if (
            at.hour >= night_from
            or at.hour < night_to
            or at.weekday() >= 5
            or at.date() in holidays
        ):
            groups[(i.recorded_by, f"{at:%Y-%m}")].append(i)
    return [
        Flag(
            "off_hours",
            LOW,
            f"hours:{who}:{month}",
            f"{who} 在 {month} 有 {len(items)} 笔收入是在深夜、周末或节假日登记的。",
            [_inc(i) for i in items[:20]],
        )
        for (who, month), items in sorted(groups.items())
    ]


def backdating(incomes, *, backdate_days, **_) -> list[Flag]:
    limit = dt.timedelta(days=backdate_days)
    return [
        Flag(
            "backdated",
            MEDIUM,
            f"back:{i.id}",
            f"收入在付款 {(i.recorded_at - i.paid_at).days} 天后才登记。",
            [_inc(i)],
        )
        for i in incomes
        if i.recorded_at - i.paid_at > limit
    ]


def reversal_rates(incomes, *, reversal_rate, reversal_min_recorded, **_) -> list[Flag]:
    per = defaultdict(list)
    for i in incomes:
        per[i.recorded_by].append(i)
    flags = []
    for who, items in per.items():
        reversed_ = [i for i in items if i.reversed]
        if (
            len(items) >= reversal_min_recorded
            and Decimal(len(reversed_)) / len(items) > reversal_rate
        ):
            flags.append(
                Flag(
                    "reversal_rate",
                    MEDIUM,
                    f"rev:{who}:{len(reversed_)}",
                    f"{who} 登记的 {len(items)} 笔收入中有 {len(reversed_)} 笔被冲销，"
                    f"超过 {reversal_rate:.0%}。",
                    [_inc(i) for i in reversed_[:20]],
                )
            )
    return flags


def quick_approvals(ds, *, quick_approval_minutes, **_) -> list[Flag]:
    limit = dt.timedelta(minutes=quick_approval_minutes)
    return [
        Flag(
            "quick_approval",
            LOW,
            f"quick:{d.id}",
            f"申请后 {(d.approved_at - d.requested_at).seconds // 60} 分钟内即获批准，审核可能流于形式。",
            [_dis(d)],
        )
        for d in ds
        if d.approved_at and d.approved_at - d.requested_at < limit
    ]


def concentration(ds, *, concentration_share, concentration_min, **_) -> list[Flag]:
    paid = [d for d in ds if d.paid]
    total = sum((d.amount for d in paid), Decimal(0))
    if len(paid) < concentration_min or not total:
        return []
    by_payee = Counter()
    for d in paid:
        by_payee[d.payee] += d.amount
    return [
        Flag(
            "concentration",
            MEDIUM,
            f"conc:{payee}",
            f"社区基金 {amount / total:.0%} 的支出流向“{payee}”。",
            [_dis(d) for d in paid if d.payee == payee],
        )
        for payee, amount in by_payee.items()
        if amount / total > concentration_share
    ]


def stopped_packages(incomes, settlements, *, today, stopped_days, **_) -> list[Flag]:
    since = today - dt.timedelta(days=stopped_days)
    earning = {i.provider for i in incomes if i.paid_at.date() >= since and not i.reversed}
    paid = {s.provider for s in settlements if s.paid_on >= since}
    return [
        Flag(
            "stopped_income",
            MEDIUM,
            f"stop:{p}:{since}",
            f"专业机构 {p} 近 {stopped_days} 天没有收入，却仍在获得结算付款。",
            [],
        )
        for p in sorted(paid - earning)
    ]


BENFORD = [log10(1 + 1 / d) for d in range(1, 10)]


def benford_mad(amounts) -> float | None:
    digits = [int(str(a).lstrip("0.")[0]) for a in amounts if a > 0]
    if not digits:
        return None
    counts = Counter(digits)
    return sum(abs(counts.get(d, 0) / len(digits) - BENFORD[d - 1]) for d in range(1, 10)) / 9


def benford_band(mad: float) -> str:
    """Nigrini's first-digit bands."""
    if mad <= 0.006:
        return "close"
    if mad <= 0.012:
        return "acceptable"
    if mad <= 0.015:
        return "marginal"
    return "nonconforming"


def benford(amounts, *, benford_min, scope: str, **_) -> list[Flag]:
    if len(amounts) < benford_min:
        return []
    mad = benford_mad(amounts)
    band = benford_band(mad)
    if band != "nonconforming":
        return []
    return [
        Flag(
            "benford",
            LOW,
            f"benford:{scope}:{len(amounts)}",
            f"{len(amounts)} 个金额的首位数字分布偏离本福特定律（MAD {mad:.4f}，Nigrini 分档："
            "不符合）。编造的数字常常如此，但也可能是定价所致。",
            [],
        )
    ]


def screen(
    *,
    incomes,
    disbursements,
    settlements,
    today,
    one_reviewer_up_to,
    benford_amounts=None,
    scope="",
    **overrides,
) -> list[Flag]:
    p = {**RULE_DEFAULTS, **overrides, "today": today, "one_reviewer_up_to": one_reviewer_up_to}
    ds = list(disbursements)
    live = list(incomes)
    flags = []
    for rule in (
        duplicate_attachments,
        duplicate_invoices,
        split_payments,
        no_evidence,
        shared_accounts,
        amount_outliers,
        round_numbers,
        quick_approvals,
        concentration,
    ):
        flags += rule(ds, **p)
    for rule in (duplicate_payments, off_hours, backdating, reversal_rates):
        flags += rule(live, **p)
    flags += stopped_packages(live, list(settlements), **p)
    flags += benford(list(benford_amounts or []), scope=scope, **p)
    return flags

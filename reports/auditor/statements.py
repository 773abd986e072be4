"""Auditor statements (DESIGN 5.2): one builder per kind makes the data - a title, a scope
and tables of strings - and the PDF, CSV and XLSX renderers all draw that same data. Its
digest (SHA-256 of the canonical JSON) is printed on every page; a period statement uses
the published disclosure's own digest."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fundmgr.chart import FUND_ACCOUNT, HUB_ACCOUNT, PROVIDER_ACCOUNT_PREFIX, party_name
from fundmgr.lib.capital import capital_from_fen
from fundmgr.lib.dates import day_bounds, month_range
from fundmgr.lib.money import fen, yuan
from fundmgr.models import TIER_ZH, Community, Disbursement, Income, Settlement
from ledger.chain import canonical_json
from ledger.models import Account, Entry, Line
from ledger.selectors import net_by_account, totals_by_account

from ..models import Period, PeriodState, RedFlag

KINDS = ("period", "party", "trial-balance", "journal", "audit-trail")


class StatementError(ValueError):
    pass


@dataclass
class Section:
    heading: str
    columns: list[str]
    rows: list[list[str]]
    right_from: int | None = None  # columns from here on are amounts
    note: str = ""  # a sentence under the table (why an inflow is not split, …)


@dataclass
class Voucher:
    seq: int
    date: str
    lines: list[tuple[str, str, str, str]]  # memo, account, debit, credit
    debit_fen: int
    actor: str
    reviewer: str
    hash: str
    reverses: int | None = None
    number: int = 0  # 记字第 N 号: the voucher's place in its month


@dataclass
class Statement:
    kind: str
    title: str
    community: Community
    scope: str
    sections: list[Section] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    qr_url: str = ""
    generated: str = ""

    def data(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "community": self.community.code,
            "scope": self.scope,
            "notes": self.notes,
            "sections": [
                # "note" only where there is one, so the digests of statements without
                # notes stay what they were.
                {
                    "heading": s.heading,
                    "columns": s.columns,
                    "rows": s.rows,
                    **({"note": s.note} if s.note else {}),
                }
                for s in self.sections
            ],
            "vouchers": [v.__dict__ for v in self.vouchers],
        }

    def seal(self) -> Statement:
        if not self.digest:
            self.digest = hashlib.sha256(canonical_json(self.data()).encode()).hexdigest()
        self.generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        return self


def _accounts(community: Community) -> dict[str, Account]:
    return {a.code: a for a in Account.objects.filter(book_id=community.book_id)}


def period_statement(community: Community, month: dt.date) -> Statement:
    from django.conf import settings
    from django.urls import reverse

    from .. import checks
    from ..selectors import document, month_extras

    period = (
        Period.objects.filter(community=community, month=month, state=PeriodState.PUBLISHED)
        .select_related("disclosure")
        .first()
    )
    if period is None:
        raise StatementError(
            _("%(community)s %(month)s is not published.")
            % {"community": community.code, "month": f"{month:%Y-%m}"}
        )
    doc = document(period.disclosure)
    d = period.disclosure
    t = doc["totals"]
    st = Statement(
        "period", f"{month:%Y-%m} 公示报表", community, f"{month:%Y-%m}", digest=d.digest
    )
    st.qr_url = settings.SITE_URL + reverse("public-month", args=[community.code, period.label])
    st.sections.append(
        Section(
            "收入与分配合计",
            ["项目", "金额（元）"],
            [
                ["收入笔数", str(t["count"])],
                ["收入合计", t["income"]],
                ["冲销合计", t["reversed"]],
                ["净收入", t["net"]],
                ["专业机构分成", t["provider"]],
                ["枢纽型社会企业分成", t["hub"]],
                ["社区基金分成", t["fund"]],
                ["净收入（大写）", capital_from_fen(fen(t["net"]))],
            ],
            right_from=1,
        )
    )
    st.sections.append(
        Section(
            "按类别",
            ["类别", "笔数", "金额（元）"],
            [[TIER_ZH[k], str(v["count"]), v["amount"]] for k, v in doc["by_tier"].items()],
            right_from=1,
        )
    )
    st.sections.append(
        Section(
            "按专业机构",
            ["专业机构", "笔数", "收入（元）", "机构分成（元）"],
            [[r["name"], str(r["count"]), r["amount"], r["share"]] for r in doc["by_provider"]],
            right_from=1,
        )
    )
    st.sections.append(
        Section(
            "按服务包",
            ["服务包", "笔数", "收入（元）"],
            [[r["name"], str(r["count"]), r["amount"]] for r in doc["by_package"]],
            right_from=1,
        )
    )
    from ..selectors import fund_of

    o, c = doc["balances"]["opening"], doc["balances"]["closing"]
    # Money in is the package shares and, since #18, the unrestricted gifts and the
    # markets' takings given to the fund: counting only the shares showed those gifts as
    # a negative outflow (the poster's fund box had the same fault).
    fund = fund_of(doc)
    st.sections.append(
        Section(
            "社区基金变动",
            ["期初余额", "本期流入", "本期流出", "期末余额"],
            [[o["fund"], f"{fund['in']:.2f}", f"{fund['out']:.2f}", c["fund"]]],
            right_from=0,
        )
    )
    accounts = _accounts(community)

    def name_of(code: str) -> str:
        account = accounts.get(code)
        return account.name if account else code

    rows = [
        [f"应付枢纽型社会企业（{community.hub.name}）", o["hub"], c["hub"]],
        [f"社区基金（{community.fund.name}）", o["fund"], c["fund"]],
    ]
    rows += [
        [
            f"应付专业机构（{party_name(accounts[PROVIDER_ACCOUNT_PREFIX + code])}）"
            if PROVIDER_ACCOUNT_PREFIX + code in accounts
            else f"应付专业机构 {code}",
            o["providers"].get(code, "0.00"),
            c["providers"][code],
        ]
        for code in sorted(c["providers"])
    ]
    rows += [
        [f"货币资金（{name_of(code)}）", o["cash"].get(code, "0.00"), c["cash"][code]]
        for code in sorted(c["cash"])
    ]
    st.sections.append(
        Section("期初与期末余额", ["科目", "期初（元）", "期末（元）"], rows, right_from=1)
    )
    extras = month_extras(period, doc)
    st.sections.append(
        Section(
            "本月执行的分配方案",
            ["版本", "起始日期", "专业机构", "枢纽社会企业", "社区基金", "决定"],
            [
                [
                    str(p["version"]),
                    p["effective_from"],
                    f"{p['percents']['provider']}%",
                    f"{p['percents']['hub']}%",
                    f"{p['percents']['fund']}%",
                    _policy_decision(p),
                ]
                for p in extras["policies"]
            ],
        )
    )
    if doc["reversals"]:
        st.sections.append(
            Section(
                "本月记入的冲销",
                ["冲销日期", "收据", "原收入所属月份", "金额（元）"],
                [
                    [r["date"], r["receipt"], r.get("original_month", ""), r["amount"]]
                    for r in doc["reversals"]
                ],
                right_from=3,
            )
        )
    later = sorted((r, v) for r, v in extras["corrections"].items() if v["month"] != period.label)
    if later:
        st.sections.append(
            Section(
                "本月收入在之后被冲销（取自之后月份的公示，本月公示内容不变）",
                ["收据", "冲销日期", "记入月份"],
                [[r, v["date"], v["month"]] for r, v in later],
            )
        )
    if doc["settlements"]:
        st.sections.append(
            Section(
                "结算",
                ["日期", "收款方", "银行流水号", "金额（元）"],
                [[x["date"], x["payee"], x["reference"], x["amount"]] for x in doc["settlements"]]
                + [["合计", "", "", extras["settled"]]],
                right_from=3,
            )
        )
    from .inflow_sections import inflow_sections
    from .project_sections import decision_sections, project_sections
    from .space_sections import space_sections

    st.sections += inflow_sections(doc)
    st.sections += space_sections(doc)
    st.sections += project_sections(doc)
    st.sections += decision_sections(doc)
    if doc.get("reconciliation", {}).get("accounts"):  # months published since #23
        st.sections.append(_reconciliation_section(doc["reconciliation"]))
    wrong = checks.movement_violations(community, doc) + checks.document_violations(
        community, period, doc
    )
    if wrong:
        st.notes.append("警告：账目检查发现问题——" + "；".join(v.message for v in wrong))
    st.notes += [
        f"账簿链头：#{doc['ledger']['chain_head']['seq']} {doc['ledger']['chain_head']['hash']}",
        f"Merkle 树头：{d.tree_size} 条凭证，根 {d.tree_root}",
        f"签名：Ed25519 {d.signature[:32]}…（公钥 {d.key_id}）",
    ]
    return st


RECONCILIATION_STATUS = {
    "reconciled": "已对平",
    "unexplained": "有未解释项",
    "incomplete": "对账单不全",
    "no_statement": "无对账单",
}


def _reconciliation_section(rec: dict) -> Section:
    """余额调节表 of the published month, per account: counts and totals only."""
    return Section(
        "银行与支付平台对账（余额调节表）",
        ["科目", "状态", "账面余额", "对账单余额", "未达账项", "未解释项", "差额"],
        [
            [
                f"{a['account']} {a['name']}",
                RECONCILIATION_STATUS.get(a["status"], a["status"]),
                a["book_balance"],
                a["statement_balance"] or "—",
                f"{a['in_transit']['count']}笔 {a['in_transit']['amount']}",
                f"{a['unexplained']['count']}笔 {a['unexplained']['amount']}",
                a["difference"],
            ]
            for a in rec["accounts"]
        ],
        right_from=2,
    )


def _party_account(community: Community, party: str) -> tuple[str, str]:
    if party == "hub":
        return HUB_ACCOUNT, community.hub.name
    if party == "fund":
        return FUND_ACCOUNT, community.fund.name
    account = Account.objects.filter(
        book_id=community.book_id, code=PROVIDER_ACCOUNT_PREFIX + party
    ).first()
    if account is None:
        raise StatementError(
            _("No party %(party)r in %(community)s: use hub, fund or a provider code.")
            % {"party": party, "community": community.code}
        )
    return account.code, party_name(account)


def party_statement(community: Community, party: str, start: dt.date, end: dt.date) -> Statement:
    code, name = _party_account(community, party)
    opening = -net_by_account(community.book, before=start).get(code, 0)
    st = Statement("party", f"{name} 对账单", community, f"{start} 至 {end}")
    balance, rows, received, paid = opening, [["", "", "期初余额", "", "", yuan(opening)]], 0, 0
    lines = (
        Line.objects.filter(
            entry__book_id=community.book_id,
            account__code=code,
            entry__date__gte=start,
            entry__date__lte=end,
        )
        .select_related("entry")
        .order_by("entry__date", "entry__seq")
    )
    for line in lines.iterator(chunk_size=2000):
        credit = -line.amount_fen if line.amount_fen < 0 else 0
        debit = line.amount_fen if line.amount_fen > 0 else 0
        balance += credit - debit
        received += credit
        paid += debit
        rows.append(
            [
                line.entry.date.isoformat(),
                f"#{line.entry.seq}",
                line.entry.memo[:60],
                yuan(credit) if credit else "",
                yuan(debit) if debit else "",
                yuan(balance),
            ]
        )
    rows.append(["", "", "本期合计 / 期末余额", yuan(received), yuan(paid), yuan(balance)])
    columns = ["日期", "凭证号", "摘要", "分成收入（贷）", "结算支付（借）", "余额"]
    st.sections.append(Section(f"{name}（科目 {code}）", columns, rows, right_from=3))
    return st


def trial_balance(community: Community, at: dt.date, start: dt.date | None = None) -> Statement:
    """Opening balance, the period's debits and credits and the closing balance of every
    account, each column totalled: the three pairs must each balance."""
    start = start or at.replace(day=1)
    before = totals_by_account(community.book, through=start - dt.timedelta(days=1))
    through = totals_by_account(community.book, through=at)
    st = Statement("trial-balance", f"试算平衡表（{start} 至 {at}）", community, f"{start} 至 {at}")
    rows, sums = [], [0] * 6

    def sides(net: int) -> tuple[int, int]:
        return (net, 0) if net > 0 else (0, -net)

    for code, account in sorted(_accounts(community).items()):
        dr0, cr0 = before.get(code, (0, 0))
        dr1, cr1 = through.get(code, (0, 0))
        values = (*sides(dr0 - cr0), dr1 - dr0, cr1 - cr0, *sides(dr1 - cr1))
        sums = [a + b for a, b in zip(sums, values, strict=True)]
        rows.append([code, account.name, *(yuan(v) if v else "" for v in values)])
    rows.append(["", "合计", *(yuan(v) for v in sums)])
    columns = [
        "科目编码",
        "科目名称",
        "期初借方",
        "期初贷方",
        "本期借方",
        "本期贷方",
        "期末借方",
        "期末贷方",
    ]
    st.sections.append(Section("科目余额及发生额", columns, rows, right_from=2))
    balanced = sums[0] == sums[1] and sums[2] == sums[3] and sums[4] == sums[5]
    st.notes.append(
        f"借贷平衡：期初、本期发生额、期末三组合计各自相等（本期借贷合计 {yuan(sums[2])} 元，"
        f"{capital_from_fen(sums[2])}）"
        if balanced
        else "借贷不平衡！"
    )
    return st


def _reviewers(community: Community, start: dt.date, end: dt.date) -> dict[int, str]:
    """What the 审核 box of each voucher says: who reviewed it, or why no review was due -
    never a bare dash that reads as a review skipped."""
    out: dict[int, str] = {}
    incomes = Income.objects.filter(
        community=community, entry__date__gte=start, entry__date__lte=end
    ).values_list("entry_id", "reviewed_by__username")
    for entry_id, reviewer in incomes:
        out[entry_id] = reviewer or "限额内免审"
    for entry_id in Income.objects.filter(
        community=community, reversal_entry__date__gte=start, reversal_entry__date__lte=end
    ).values_list("reversal_entry_id", flat=True):
        out[entry_id] = "冲销无需审核（附原因）"
    for d in (
        Disbursement.objects.filter(
            community=community, entry__date__gte=start, entry__date__lte=end
        )
        .prefetch_related("approvals__reviewer")
        .only("entry_id", "tier")
    ):
        names = [a.reviewer.get_username() for a in d.approvals.all() if a.approve]
        out[d.entry_id] = "、".join(names) + ("（集体决策）" if d.tier == "committee" else "")
    for entry_id in Settlement.objects.filter(
        community=community, entry__date__gte=start, entry__date__lte=end
    ).values_list("entry_id", flat=True):
        out[entry_id] = "结算按应付余额，无需审核"
    return out


def journal(community: Community, start: dt.date, end: dt.date) -> Statement:
    st = Statement("journal", "记账凭证", community, f"{start} 至 {end}")
    names = {a.pk: f"{a.code} {a.name}" for a in _accounts(community).values()}
    reviewers = _reviewers(community, start, end)
    entries = (
        Entry.objects.filter(book_id=community.book_id, date__gte=start, date__lte=end)
        .select_related("reverses")
        .order_by("seq")
    )
    batch: list[Entry] = []
    numbers: dict[str, int] = {}

    def flush():
        lines: dict[int, list[Line]] = {}
        for line in Line.objects.filter(entry__in=[e.pk for e in batch]).order_by(
            "entry_id", "position"
        ):
            lines.setdefault(line.entry_id, []).append(line)
        for e in batch:
            rows, dr = [], 0
            for line in lines.get(e.pk, []):
                dr += max(line.amount_fen, 0)
                rows.append(
                    (
                        line.description or e.memo[:40],
                        names[line.account_id],
                        yuan(line.amount_fen) if line.amount_fen > 0 else "",
                        yuan(-line.amount_fen) if line.amount_fen < 0 else "",
                    )
                )
            month = f"{e.date:%Y-%m}"
            numbers[month] = numbers.get(month, 0) + 1
            st.vouchers.append(
                Voucher(
                    number=numbers[month],
                    seq=e.seq,
                    date=e.date.isoformat(),
                    lines=rows,
                    debit_fen=dr,
                    actor=e.actor,
                    reviewer=reviewers.get(e.pk, ""),
                    hash=e.hash,
                    reverses=e.reverses.seq if e.reverses_id else None,
                )
            )
        batch.clear()

    for e in entries.iterator(chunk_size=2000):
        batch.append(e)
        if len(batch) >= 2000:
            flush()
    flush()
    total = sum(v.debit_fen for v in st.vouchers)
    st.notes.append(
        f"共 {len(st.vouchers)} 张凭证，借方合计 {yuan(total)} 元（{capital_from_fen(total)}）"
    )
    return st


def audit_trail(community: Community, start: dt.date, end: dt.date) -> Statement:
    """Who recorded, approved, rejected, reversed, closed and published this month's
    records, and when - whenever those actions happened."""
    lo, hi = day_bounds(start, end)
    events = []
    # The month's own payments, and those of closed months booked in it as adjustments.
    incomes = (
        Income.objects.filter(community=community)
        .filter(
            Q(paid_at__gte=lo, paid_at__lt=hi)
            | Q(entry__date__gte=start, entry__date__lte=end)
            | Q(reversal_entry__date__gte=start, reversal_entry__date__lte=end)
        )
        .select_related("recorded_by", "reviewed_by", "reversed_by", "entry")
    )
    for i in incomes:
        label = f"{i.receipt_display} ¥{i.amount.amount:.2f} {TIER_ZH[i.tier]}"
        if i.adjustment_of:
            label += f" 【调整】付款日 {i.paid_on}，记入 {i.entry.date}"
        events.append(
            (
                i.recorded_at,
                i.recorded_by.username if i.recorded_by else "import",
                "登记收入",
                label,
            )
        )
        if i.reviewed_at:
            action = "审核退回" if i.status == "rejected" else "审核通过"
            events.append(
                (i.reviewed_at, i.reviewed_by.username, action, f"{label} {i.review_note}".strip())
            )
        if i.reversed_at:
            events.append(
                (i.reversed_at, i.reversed_by.username, "冲销", f"{label} 原因：{i.reverse_reason}")
            )
    settlements = (
        Settlement.objects.filter(community=community)
        .filter(
            Q(paid_on__gte=start, paid_on__lte=end)
            | Q(entry__date__gte=start, entry__date__lte=end)
        )
        .select_related("provider", "recorded_by", "entry")
    )
    for st_ in settlements:
        detail = (
            f"{st_.payee_name} ¥{st_.amount.amount:.2f} {st_.bank_reference} 付款日 {st_.paid_on}"
        )
        if st_.adjustment_of:
            detail += f" 【调整】记入 {st_.entry.date}"
        events.append((st_.recorded_at, st_.recorded_by.username, "登记结算", detail))
    disbursements = (
        Disbursement.objects.filter(community=community)
        .filter(
            Q(requested_at__gte=lo, requested_at__lt=hi) | Q(decided_at__gte=lo, decided_at__lt=hi)
        )
        .select_related("requested_by")
        .prefetch_related("approvals__reviewer")
    )
    for d in disbursements:
        label = f"{d.payee} ¥{d.amount.amount:.2f} {d.purpose}"  # auditors see names
        events.append((d.requested_at, d.requested_by.username, "申请拨付", label))
        for a in d.approvals.all():
            events.append(
                (a.at, a.reviewer.username, "同意拨付" if a.approve else "不同意拨付", label)
            )
        if d.status == "posted" and d.decided_at:
            events.append(
                (d.decided_at, d.requested_by.username, "拨付记账", f"{label} 付款日 {d.paid_on}")
            )
    for p in Period.objects.filter(community=community, month=start.replace(day=1)):
        if p.close_requested_at:
            events.append((p.close_requested_at, p.close_requested_by, "申请结账", p.label))
        if p.closed_at:
            events.append(
                (
                    p.closed_at,
                    p.closed_by,
                    "结账",
                    f"{p.label} 确认人：{p.close_confirmed_by or '—'}",
                )
            )
        if p.published_at:
            events.append((p.published_at, p.published_by, "公示", p.label))
    for flag in RedFlag.objects.filter(community=community, closed_at__gte=lo, closed_at__lt=hi):
        events.append((flag.closed_at, flag.closed_by, "关闭风险预警", f"{flag.rule}：{flag.note}"))
    events.sort(key=lambda e: e[0])
    st = Statement("audit-trail", "操作审计记录", community, f"{start} 至 {end}")
    st.sections.append(
        Section(
            "谁在何时做了什么",
            ["时间", "操作人", "操作", "内容"],
            [
                [timezone.localtime(when).strftime("%Y-%m-%d %H:%M"), who, what, detail]
                for when, who, what, detail in events
            ],
        )
    )
    return st


def build(
    community: Community, month: dt.date, kind: str = "period", party: str | None = None
) -> Statement:
    if kind not in KINDS:
        raise StatementError(_("The kind must be one of %(kinds)s.") % {"kinds": ", ".join(KINDS)})
    start, end = month_range(month)
    if kind == "period":
        st = period_statement(community, month)
    elif kind == "party":
        if not party:
            raise StatementError(
                _("A party statement needs a party (--party hub, fund or a provider code).")
            )
        st = party_statement(community, party, start, end)
    elif kind == "trial-balance":
        st = trial_balance(community, end, start)
    elif kind == "journal":
        st = journal(community, start, end)
    else:
        st = audit_trail(community, start, end)
    return st.seal()


def _policy_decision(p: dict) -> str:
    """The decision item a policy cites (#19), or the free text of older policies."""
    d = p.get("decision")
    if d:
        v = d["votes"]
        return (
            f"{d['meeting']} 第{d['item']}项 {d['held_on']} {d['title']}"
            f"（赞成 {v['for']}，反对 {v['against']}，弃权 {v['abstain']}）"
        )
    return " ".join(x for x in (p["approved_by"], p["decision_ref"]) if x)

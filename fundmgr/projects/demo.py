"""The demo's year of proposals and projects (called once from fundmgr.demo.Demo.load),
in the first community: the annual plan approved by the representatives, residents'
proposals (one declined, one from a paper form), a project followed to its close with
acceptance and the remainder returned, one in progress, one cancelled and one rejected.
Amounts follow what the fund and the bank hold, so check_books keeps passing.
Deterministic for a given --today; a few dozen rows."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from djmoney.money import Money

from ledger.meaning import lowest_from

from ..chart import FUND_ACCOUNT, method_account_code
from ..decisions import services as decisions
from ..models import PaymentMethod
from ..services import payouts
from . import services as projects


def _clock(day: dt.date, hour: int):
    from ..demo import clock_at

    return clock_at(day, hour)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _item(community, officer, reviewer, reference, held, titles, passed=True):
    meeting = decisions.meeting_record(
        community=community,
        body="representatives",
        reference=reference,
        held_on=held,
        members_entitled=21,
        members_present=16,
        user=officer,
        minutes_sha256=_sha(reference),
        items=[{"title": t} for t in titles],
    )
    items = list(meeting.items.order_by("number"))
    for item in items:
        votes = (13, 2, 1) if passed else (4, 10, 2)
        for who in (officer, reviewer):
            decisions.tally_enter(
                item=item,
                user=who,
                votes_for=votes[0],
                votes_against=votes[1],
                votes_abstain=votes[2],
            )
        item.refresh_from_db()
    return items


def _affordable(community, on: dt.date, share: int) -> int:
    """Whole yuan (in fen) worth `share` % of what both the fund's free balance and the
    bank hold from `on` on: a back-dated reservation or payment must fit every later day."""
    book = community.book
    accounts = {a.code: a for a in book.accounts.filter(code__in=[FUND_ACCOUNT, "1002"])}
    if FUND_ACCOUNT not in accounts:
        return 0
    low = lowest_from(book, accounts[FUND_ACCOUNT], on).balance_fen
    return max(0, low * share // 100 // 10000 * 10000)


def _pay(community, officer, reviewer, project, fen: int, day: dt.date, final=False):
    book = community.book
    # Paid from whichever of cash and bank holds the most from that day on.
    held = []
    for method in (PaymentMethod.BANK, PaymentMethod.WECHAT, PaymentMethod.CASH):
        account = book.accounts.filter(code=method_account_code(method)).first()
        if account is not None:
            held.append((lowest_from(book, account, day).balance_fen, method))
    if not held or max(held)[0] < fen or fen <= 0:
        return None
    method = max(held)[1]
    with _clock(day, 10):
        d = payouts.disbursement_request(
            community=community,
            payee=project.provider,
            purpose=f"{project.title}{'尾款' if final else '进度款'}",
            category="other",
            amount=Money(fen, community.currency) / 100,
            user=officer,
            method=method,
            project=project,
            final=final,
            attachments=[
                (
                    "invoice",
                    SimpleUploadedFile(
                        f"fp-{project.number}-{day:%m%d}.pdf",
                        f"%PDF-1.4\n% {project.title} {day.isoformat()} {fen}\n".encode(),
                    ),
                )
            ],
        )
        return payouts.disbursement_approve(
            disbursement=d, reviewer=reviewer, payment_reference=f"PJ{project.number}{day:%m%d}"
        )


def load_projects(today: dt.date, start: dt.date, community, users) -> None:
    officer, reviewer, acceptor = users["officer"], users["reviewer"], users["reviewer2"]
    if (today - start).days < 200:
        return
    cur = community.currency
    held = start + dt.timedelta(days=20)
    with _clock(held, 19):
        (plan_item,) = _item(
            community,
            officer,
            reviewer,
            f"桥居代〔{held.year}〕计1号",
            held,
            ["社区基金年度使用计划"],
        )
        projects.plan_record(
            community=community,
            year=today.year,
            item=plan_item,
            lines={
                "environment": Money(3000, cur),
                "elderly": Money(2000, cur),
                "facilities": Money(4000, cur),
                "children": Money(1000, cur),
            },
            user=officer,
        )
    asked = start + dt.timedelta(days=25)
    ideas = [
        ("楼道绿化美化", "三号楼前种花，设置绿植角", "environment", "3号楼前"),
        ("长者助餐桌椅更换", "食堂桌椅老旧，更换二十套", "elderly", "长者食堂"),
        ("儿童游乐区防滑地垫", "游乐区铺设防滑地垫", "children", "中心花园"),
        ("健身器材维修", "维修小广场健身器材", "facilities", "小广场"),
        ("小区养宠物指引牌", "设置文明养宠提示牌", "other", "各出入口"),
        ("外墙整体粉刷", "为全部楼栋粉刷外墙", "facilities", "全小区"),
    ]
    proposals = []
    with _clock(asked, 20):
        for title, desc, cat, where in ideas:
            proposals.append(
                projects.proposal_submit(
                    community=community,
                    title=title,
                    description=desc,
                    category=cat,
                    estimated_cost=Money(3000, cur),
                    location=where,
                    contact="（居民留下的联系方式不公开）",
                )
            )
        paper = projects.proposal_submit(
            community=community,
            title="楼道声控灯更换",
            description="居民纸质表格：二号楼楼道灯不亮",
            category="facilities",
            estimated_cost=Money(800, cur),
            location="2号楼",
            user=officer,
        )
    with _clock(asked + dt.timedelta(days=3), 9):
        for p in proposals[:5] + [paper]:
            projects.proposal_moderate(proposal=p, accept=True, user=reviewer)
        projects.proposal_moderate(
            proposal=proposals[5], accept=False, user=reviewer, note="超出社区基金的用途和规模"
        )
        made = []
        for p, provider in zip(
            proposals[:5] + [paper],
            ["绿美园艺服务部", "安居家具店", "童乐设施公司", "强身器材维修部", "", ""],
            strict=True,
        ):
            project = projects.project_create(
                community=community, user=officer, proposal=p, provider=provider
            )
            projects.project_review(project=project, user=reviewer)
            made.append(project)
    green, tables, mats, gym, signs, lights = made
    m1 = start + dt.timedelta(days=150)
    with _clock(m1, 19):
        items = _item(
            community,
            officer,
            reviewer,
            f"桥居代〔{m1.year}〕项2号",
            m1,
            [green.title, tables.title, gym.title],
        )
        (no,) = _item(
            community,
            officer,
            reviewer,
            f"桥居代〔{m1.year}〕项3号",
            m1,
            [signs.title],
            passed=False,
        )
    with _clock(m1 + dt.timedelta(days=1), 10):
        for project, item in zip((green, tables, gym), items, strict=True):
            fen = min(_affordable(community, m1 + dt.timedelta(days=1), 25), 300000)
            if fen <= 0:
                return
            projects.project_decide(
                project=project, item=item, amount=Money(fen, cur) / 100, user=officer
            )
        projects.project_reject(
            project=signs, user=officer, reason=f"居民代表会议未通过（{no.meeting.reference}）"
        )
    # The green project, followed to its close.
    with _clock(m1 + dt.timedelta(days=5), 9):
        projects.project_start(project=green, user=officer)
    green.refresh_from_db()
    decided = int(green.decided_amount.amount * 100)
    first = decided * 6 // 10 // 100 * 100
    _pay(community, officer, reviewer, green, first, m1 + dt.timedelta(days=20))
    with _clock(m1 + dt.timedelta(days=45), 15):
        projects.milestone_record(
            project=green,
            title="完成种植",
            due_on=m1 + dt.timedelta(days=40),
            done_on=m1 + dt.timedelta(days=44),
            evidence_sha256=_sha(f"green-photos-{m1}"),
            user=officer,
        )
        projects.project_accept(
            project=green,
            representatives=["王秀英", "李建国"],
            evidence_sha256=_sha(f"green-acceptance-{m1}"),
            user=acceptor,
        )
    rest = (decided - first) * 8 // 10 // 100 * 100
    _pay(community, officer, reviewer, green, rest, m1 + dt.timedelta(days=50), final=True)
    with _clock(m1 + dt.timedelta(days=55), 11):
        projects.project_close(project=green, user=officer, reason="验收合格，余款退回社区基金")
    # The tables: cancelled, the whole earmark back.
    with _clock(m1 + dt.timedelta(days=30), 11):
        projects.project_cancel(
            project=tables, user=officer, reason="街道已统一配置桌椅，本项目取消"
        )
    # The gym: in progress today, one payment made.
    with _clock(m1 + dt.timedelta(days=7), 9):
        projects.project_start(project=gym, user=officer)
        projects.milestone_record(
            project=gym, title="器材检修", due_on=today + dt.timedelta(days=20), user=officer
        )
    gym.refresh_from_db()
    _pay(
        community,
        officer,
        reviewer,
        gym,
        int(gym.decided_amount.amount * 100) * 3 // 10 // 100 * 100,
        today - dt.timedelta(days=10),
    )
    del mats, lights  # accepted for consideration, waiting for a decision

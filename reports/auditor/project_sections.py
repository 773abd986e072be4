"""The period statement's pages of the fund's use (issue 19): the year's plan against
what was paid, the earmarks beside the free balance, the projects, and the month's
decisions with their votes - read from the published document alone, so no proposer or
contact can appear and names are as published."""

from __future__ import annotations

from fundmgr.lib.money import fen, yuan

from .space_sections import BODY_ZH, OUTCOME_ZH

HEADING = "社区基金使用计划与项目"
DECISIONS = "议事决策"
CATEGORY_ZH = {
    "elderly": "助老",
    "children": "儿童与青少年",
    "environment": "环境与绿化",
    "facilities": "维修与设施",
    "culture": "文化体育",
    "help": "困难家庭帮扶",
    "other": "其他",
}
STATUS_ZH = {
    "proposed": "提议",
    "reviewed": "已审议",
    "decided": "已决定",
    "progress": "实施中",
    "accepted": "已验收",
    "closed": "已结项",
    "rejected": "未通过",
    "cancelled": "已取消",
}
REVIEW_ZH = {"agreed": "同意", "changed": "修改后同意", "refused": "不同意"}


def _ref(item: dict | None) -> str:
    return f"{item['meeting']} 第{item['item']}项" if item else "—"


def project_sections(doc: dict) -> list:
    from .statements import Section

    if "earmarks" not in doc:  # a month published before #19
        return []
    sections = []
    plan, earmarks, projects = doc.get("plan"), doc["earmarks"], doc.get("projects") or []
    if not (plan or earmarks["rows"] or projects):  # the fund has no plan and no project
        return []
    month = doc["period"]["start"][5:7]
    if plan:
        lines = plan["lines"]
        rows = [
            [
                CATEGORY_ZH.get(line["category"], line["category"]),
                line["planned"],
                line["paid_by_month"].get(month, "0.00"),
                line["paid"],
                yuan(fen(line["planned"]) - fen(line["paid"])),
            ]
            for line in lines
        ]
        rows.append(["合计", *(yuan(sum(fen(r[k]) for r in rows)) for k in range(1, 5))])
        note = (
            f"{plan['year']}年度使用计划，依据 {_ref(plan['decision'])}；支付取自各类别项目的预留。"
        )
    else:
        rows, note = [], "本年度尚无经决策的使用计划。"
    sections.append(
        Section(
            HEADING,
            ["类别", "年度计划（元）", "本月支付（元）", "本年累计（元）", "计划余额（元）"],
            rows,
            right_from=1,
            note=note,
        )
    )
    titles = {p["number"]: p["title"] for p in projects}
    marks = earmarks["rows"]
    sections.append(
        Section(
            "计划与项目·社区基金的预留与自由余额（月末）",
            ["科目", "项目", "决定预留", "已支付", "已退回", "余额（元）"],
            [
                [
                    r["account"],
                    f"{r['project']} {titles.get(r['project'], '')}".strip(),
                    r["decided"],
                    r["paid"],
                    r["released"],
                    r["remaining"],
                ]
                for r in marks
            ]
            + [
                ["预留合计", "", "", "", "", earmarks["earmarked"]],
                ["未预留的自由余额", "", "", "", "", earmarks["free"]],
                [
                    "社区基金合计",
                    "",
                    "",
                    "",
                    "",
                    yuan(fen(earmarks["earmarked"]) + fen(earmarks["free"])),
                ],
            ],
            right_from=2,
            note="余额 = 决定预留 − 已支付 − 已退回；"
            "预留只能用于其项目，结项或取消时退回自由余额。",
        )
    )
    if projects:
        sections.append(
            Section(
                # Seven columns take the statement's fixed amount width, which
                # "余额（元）" filled to the rules: the unit rides in the heading.
                "计划与项目·项目（金额：元）",
                ["编号", "项目", "类别/状态", "决议", "决定金额", "已支付", "余额"],
                [
                    [
                        str(p["number"]),
                        p["title"],
                        f"{CATEGORY_ZH.get(p['category'], p['category'])}/"
                        f"{STATUS_ZH.get(p['status'], p['status'])}",
                        _ref(p["decision"]),
                        p["decided"],
                        p["paid"],
                        p["remaining"],
                    ]
                    for p in projects
                ],
                right_from=4,
            )
        )
    return sections


def decision_sections(doc: dict) -> list:
    from .statements import Section

    if not doc.get("decisions"):
        return []
    return [
        Section(
            DECISIONS,
            ["日期", "文号", "机构", "出席/法定", "议题", "赞成/反对/弃权", "前置审议/结果"],
            [
                [
                    m["held_on"],
                    m["reference"],
                    BODY_ZH.get(m["body"], m["body"]),
                    f"{m['members_present']}/{m['quorum']}",
                    i["title"],
                    "/".join(
                        "—" if i["votes"][k] is None else str(i["votes"][k])
                        for k in ("for", "against", "abstain")
                    ),
                    (
                        REVIEW_ZH.get(i["prior_review"]["outcome"], i["prior_review"]["outcome"])
                        if i["prior_review"]
                        else "—"
                    )
                    + "/"
                    + OUTCOME_ZH.get(i["outcome"], i["outcome"]),
                ]
                for m in doc["decisions"]
                for i in m["items"]
            ],
            note="本月召开的会议的每一议题：只有票数，没有姓名。",
        )
    ]

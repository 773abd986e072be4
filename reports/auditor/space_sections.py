"""The period statement's pages of spaces let for services, read from the published
document (memorandum figures: not on the balance sheet). The month's decisions are in
project_sections, with the plan and projects they decide."""

from __future__ import annotations

BODY_ZH = {
    "council": "居民议事会",
    "representatives": "居民代表会议",
    "joint": "两委联席会议",
    "party": "社区党组织",
    "other": "其他",
}
OUTCOME_ZH = {
    "passed": "通过",
    "rejected": "未通过",
    "disputed": "计票不一致",
    "awaiting": "待计票",
}


def space_sections(doc: dict) -> list:
    from .statements import Section

    sections = []
    spaces = doc.get("spaces") or {}
    if spaces.get("agreements"):
        sections.append(
            Section(
                "一元租金·资源换服务（备查数，不入资产负债）",
                ["协议", "场地", "运营方", "场次 应/实", "价值 应/实（元）", "让渡租金（元）"],
                [
                    [
                        a["number"],
                        a["space"]["name"],
                        a["operator"]["name"],
                        f"{a['this_month']['sessions_owed']}/{a['this_month']['sessions_delivered']}",
                        f"{a['this_month']['value_owed']}/{a['this_month']['value_delivered']}",
                        a["this_month"]["rent_forgone"],
                    ]
                    for a in spaces["agreements"]
                ],
                right_from=3,
            )
        )
        rent = spaces["rent_income"]
        sections.append(
            Section(
                "场地象征性租金（" + spaces["why_rent_not_split"] + "）",
                ["科目", "期初（元）", "本月收到（元）", "期末（元）"],
                [
                    [
                        rent["account"] + " 其他收入—场地象征性租金",
                        rent["opening"],
                        _sum(spaces["rents"]),
                        rent["closing"],
                    ]
                ],
                right_from=1,
            )
        )
    return sections


def _sum(rows: list[dict]) -> str:
    from fundmgr.lib.money import fen, yuan

    return yuan(sum(fen(r["amount"]) for r in rows))

"""Residents decide how the fund is spent (#19): proposals, projects decided by a
decision item, the earmark each reserves in the ledger (3101.E.<n>), payments that cite
it, milestones, acceptance (验收) and the annual plan."""

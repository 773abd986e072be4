"""Decisions of a community's bodies (议事协商): a meeting, its attendance against its
quorum, the items voted with their paper ballots tallied by two people, the minutes kept
by SHA-256, and the prior review (前置审议) a major matter (三重一大) needs.

Other records cite a decision *item* (`DecisionItem`) through `services.item_cite`: a
space agreement today; an annual plan, an earmark or a purchase contract later."""

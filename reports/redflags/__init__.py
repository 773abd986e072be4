"""Red flags (风险预警): where petty corruption usually hides.

    rules      pure rules over plain facts (no ORM), thresholds as parameters
    screening  the facts gathered from the database, the rules run, each flag kept once

An auditor closes a flag with reports.services.flag_close."""

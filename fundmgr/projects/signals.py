"""What fundmgr.projects announces to the layer above: reports mails a project's
followers, but fundmgr may never import reports (tests/test_layers.py), so the services
send this signal and reports.notices connects to it.

`project_event` is sent inside the service's transaction with `project`, `kind`
("status", "milestone" or "payment") and `pk` (the StatusChange, Milestone or
ProjectPayment). A receiver that does work must defer it until the commit: a refused
change rolls back and must announce nothing."""

from __future__ import annotations

from django.dispatch import Signal

project_event = Signal()


def announce(project, kind: str, pk: int) -> None:
    project_event.send(sender=type(project), project=project, kind=kind, pk=pk)

"""Demo content of the planned changes area: Northwind Credit's planned changes.

The credit scoring model's yearly retrain (v4.3) is approved and planned for next month, not
implemented yet: implementing it will move the system's version, reopen its assessments and call
for a new version of its technical documentation. A change to the assistant's retrieval data was
implemented already (it reopened the assistant's assessments, signed again since), and a proposal
to use the CV ranking for senior roles was rejected.
"""

from __future__ import annotations

import datetime as dt

from aims.changes import services
from aims.changes.models import Kind, PlannedChange


def load(org, *, people, systems, risks, today) -> None:
    manager, cfo, tom = people["priya.shah"], people["daniel.okafor"], people["tom.becker"]
    credit = systems["credit"]
    credit.refresh_from_db()
    retrain = services.save_change(
        PlannedChange(
            organization=org,
            system=credit,
            kind=Kind.NEW_VERSION,
            description="Yearly retrain of credit-pd on applications up to June 2025, same "
            "features and constraints; recalibrate the score bands.",
            reason="The population stability index of income and bureau attributes passed 0.2 "
            "in the last two quarters; the model validation policy asks for a yearly retrain.",
            new_version="4.3",
            planned_date=today + dt.timedelta(days=30),
        ),
        actor=manager,
    )
    services.approve(retrain, actor=cfo, note="Approved by the credit risk committee.")
    cv = systems["cv"]
    senior = services.save_change(
        PlannedChange(
            organization=org,
            system=cv,
            kind=Kind.INTENDED_USE,
            description="Use the ranking for team-leader roles as well.",
            reason="Hiring managers asked for it during the pilot.",
            new_intended_use="Order applications for contact-centre, operations and team-leader "
            "roles.",
        ),
        actor=tom,
    )
    services.reject(
        senior,
        actor=manager,
        reason="Not trained or validated for senior roles; revisit after a separate validation.",
    )

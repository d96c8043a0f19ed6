"""The internal audit programme (9.2): programmes and their coverage, audits, their checklist
items and results, and the steps of an audit.

Reading needs read access; every write needs "record audits" (``AUDIT``: the Auditor role, AIMS
Managers and Owners). Auditors are named by username, AI systems by slug, clauses and Annex A
controls by id ("6.1.2", "A.6.2.4"); a clause with sub-clauses stands for all of them.

Each part has its module and router (``programmes``, ``audits``, ``checklist``); they are added
here, in this order, under the one tag, so the operations and the OpenAPI document are as if from
one router.
"""

from ninja import Router

from . import audits, checklist, programmes

router = Router(tags=["Internal audits"])
router.add_router("", programmes.router)
router.add_router("", audits.router)
router.add_router("", checklist.router)

"""The EU AI Act (Regulation (EU) 2024/1689) in the API: the classification questionnaire, each
AI system's classification (drafted from the answers, signed with authority), the obligations
and fine exposure that follow from it, the records the Act asks for, explanation and recourse
requests, the regulatory watch and the organization's profile for the fines.

Every change goes through :mod:`aims.euaiact.services`, as on the pages; the tier, duties and
reasons of a classification are computed from its answers, never sent.

Each part has its module and router (``classifications``, ``records``, ``registers``, sharing
``common``); they are added here, in this order, under the one tag, so the operations and the
OpenAPI document are as if from one router.
"""

from ninja import Router

from . import classifications, records, registers

router = Router(tags=["EU AI Act"])
router.add_router("", classifications.router)
router.add_router("", records.router)
router.add_router("", registers.router)

"""Leadership in the API: AIMS roles, the RACI matrix, committee meetings with their decisions and
actions, and the top-management summary.

Each part has its module and router (``roles``, ``raci``, ``meetings``, ``top``); they are added
here, in this order, under the one tag, so the operations and the OpenAPI document are as if from
one router.
"""

from ninja import Router

from . import meetings, raci, roles, top

router = Router(tags=["Leadership"])
router.add_router("", roles.router)
router.add_router("", raci.router)
router.add_router("", meetings.router)
router.add_router("", top.router)

"""The context of the organization in the API: issues (4.1), interested parties (4.2), scope
versions and the roles per AI system (4.3), and the obligations register (A.8.5).

Each kind of record has its own module; each registers its operations on the one router of
``common``.
"""

from . import issues, obligations, parties, roles, scope  # noqa: F401 (register their operations)
from .common import PATH_RECORDS, router

__all__ = ["PATH_RECORDS", "router"]

"""The technical checks' services, one module per job; other apps import them from here.

- :mod:`aims.checks.sources`: where a check's data comes from (uploads, allowed paths);
- :mod:`aims.checks.definitions`: saving and deleting a check, and which check a run posted by
  the ML pipeline belongs to;
- :mod:`aims.checks.runs`: computing a run, recording it as evidence, alerts, the schedule.

What a kind of check (fairness, performance, drift, quality) reads and computes is in
:mod:`aims.checks.kinds`.
"""

from .definitions import check_for_pipeline_run, definition_problems, delete_check, save_check
from .runs import (
    compute,
    failure_message,
    next_run_after,
    raise_alert,
    record_error_run,
    record_pipeline_run,
    record_run,
    resolve_alert,
    run_check,
)
from .sources import resolve_data_path, shown_path, store_data_file, store_uploads

__all__ = [
    "check_for_pipeline_run",
    "compute",
    "definition_problems",
    "delete_check",
    "failure_message",
    "next_run_after",
    "raise_alert",
    "record_error_run",
    "record_pipeline_run",
    "record_run",
    "resolve_alert",
    "resolve_data_path",
    "run_check",
    "save_check",
    "shown_path",
    "store_data_file",
    "store_uploads",
]

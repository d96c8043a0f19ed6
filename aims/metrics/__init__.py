"""OpenAIMS metrics engine: fairness and performance (and drift, data quality) on prediction logs.

Framework-free (numpy, pyarrow, DuckDB; never Django), so it runs in an ML pipeline without the
server. Every input goes through `open_source`; bad input raises `InputError`. Each report is
derived from small sufficient statistics computed in one pass over the data, which serialize to
JSON so that a server can recompute the metrics without seeing a row.

The names below are imported from their modules when first used (PEP 562), so that importing
one light module of the package (``aims check --help`` reads only the thresholds) does not
load numpy, pyarrow and DuckDB; ``from aims.metrics import fairness_report`` works as ever.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

ENGINE_VERSION = "1.0.0"

# Each public name, and the module of the package it comes from.
_HOMES = {
    "thresholds": "thresholds",
    "ColumnDrift": "drift",
    "ConfusionCounts": "_stats",
    "DataFiles": "io",
    "DriftDetector": "drift",
    "DriftReport": "drift",
    "ErrorSums": "_stats",
    "FairnessReport": "fairness",
    "FairnessStatistics": "_stats",
    "InputError": "io",
    "PerformanceReport": "performance",
    "PerformanceStatistics": "_stats",
    "QualityCheck": "quality",
    "QualityReport": "quality",
    "RankCounts": "_stats",
    "Source": "io",
    "Threshold": "thresholds",
    "ThresholdResult": "thresholds",
    "data_files": "io",
    "demographic_parity_difference": "fairness",
    "demographic_parity_ratio": "fairness",
    "disparate_impact_ratio": "fairness",
    "drift_report": "drift",
    "equalized_odds_difference": "fairness",
    "fingerprint_files": "io",
    "fairness_from_statistics": "fairness",
    "fairness_report": "fairness",
    "fairness_statistics": "fairness",
    "open_source": "io",
    "parse_thresholds": "thresholds",
    "performance_from_statistics": "performance",
    "performance_report": "performance",
    "quality_report": "quality",
}

__all__ = [
    "ENGINE_VERSION",
    "thresholds",
    "ColumnDrift",
    "ConfusionCounts",
    "DataFiles",
    "DriftDetector",
    "DriftReport",
    "ErrorSums",
    "FairnessReport",
    "FairnessStatistics",
    "InputError",
    "PerformanceReport",
    "PerformanceStatistics",
    "QualityCheck",
    "QualityReport",
    "RankCounts",
    "Source",
    "Threshold",
    "ThresholdResult",
    "data_files",
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "disparate_impact_ratio",
    "drift_report",
    "equalized_odds_difference",
    "fingerprint_files",
    "fairness_from_statistics",
    "fairness_report",
    "fairness_statistics",
    "open_source",
    "parse_thresholds",
    "performance_from_statistics",
    "performance_report",
    "quality_report",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{home}")
    value = module if name == home else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


if TYPE_CHECKING:
    from aims.metrics import thresholds
    from aims.metrics._stats import (
        ConfusionCounts,
        ErrorSums,
        FairnessStatistics,
        PerformanceStatistics,
        RankCounts,
    )
    from aims.metrics.drift import ColumnDrift, DriftDetector, DriftReport, drift_report
    from aims.metrics.fairness import (
        FairnessReport,
        demographic_parity_difference,
        demographic_parity_ratio,
        disparate_impact_ratio,
        equalized_odds_difference,
        fairness_from_statistics,
        fairness_report,
        fairness_statistics,
    )
    from aims.metrics.io import (
        DataFiles,
        InputError,
        Source,
        data_files,
        fingerprint_files,
        open_source,
    )
    from aims.metrics.performance import (
        PerformanceReport,
        performance_from_statistics,
        performance_report,
    )
    from aims.metrics.quality import QualityCheck, QualityReport, quality_report
    from aims.metrics.thresholds import Threshold, ThresholdResult, parse_thresholds

"""OpenAIMS metrics engine: fairness and performance (and drift, data quality) on prediction logs.

Framework-free (numpy, pyarrow, DuckDB; never Django), so it runs in an ML pipeline without the
server. Every input goes through `open_source`; bad input raises `InputError`. Each report is
derived from small sufficient statistics computed in one pass over the data, which serialize to
JSON so that a server can recompute the metrics without seeing a row.
"""

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

ENGINE_VERSION = "1.0.0"

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

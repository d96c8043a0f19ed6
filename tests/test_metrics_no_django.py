"""The metrics engine stays framework-free: importing any of its modules never imports Django."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import aims.metrics


def test_no_metrics_module_imports_django():
    modules = ["aims.metrics"] + [
        f"aims.metrics.{info.name}" for info in pkgutil.iter_modules(aims.metrics.__path__)
    ]
    assert "aims.metrics.fairness" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(leaked))\n"
    )
    root = Path(aims.metrics.__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Django imported by the metrics engine: {result.stdout}"

"""Shared test set-up: the test kit in tests/_support is importable (also by spawned runner workers)."""

import os
import sys

SUPPORT = os.path.join(os.path.dirname(__file__), "_support")
if SUPPORT not in sys.path:
    sys.path.insert(0, SUPPORT)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (SUPPORT, os.environ.get("PYTHONPATH")) if p)

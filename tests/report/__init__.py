"""Tests of the question-log report (python -m bot report)."""

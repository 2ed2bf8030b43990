"""Checks that the benchmarks under bench/ run; they measure, these tests never time."""

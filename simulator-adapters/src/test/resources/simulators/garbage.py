"""A simulator for the tests that always prints something that is not x: its fault, deterministic."""
import sys

sys.stdin.readline()
print("x = [1.0, 2.0]  # not JSON, not CSV")

"""A simulator that cannot start, as a missing module or file would leave it: exits with status 3."""
import sys

print("Traceback (most recent call last):", file=sys.stderr)
print("ModuleNotFoundError: No module named 'oscillator_solver'", file=sys.stderr)
sys.exit(3)

"""The example oscillator as a persistent worker (its directory the first argument), whose solver
diverges for damping below 0.37, 30 % of the example's prior: that item's reply is an error, every
time."""
import sys

sys.path.insert(0, sys.argv[1])
from simulator import simulate  # noqa: E402
import streamsbi_worker  # noqa: E402


def diverging(theta, seed):
    if theta[0] < 0.37:
        raise RuntimeError("solver diverged at damping %.3f" % theta[0])
    return simulate(theta, seed)


streamsbi_worker.serve(diverging)

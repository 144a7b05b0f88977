"""sbibm's two_moons as a slow persistent worker (the examples' directory the first argument), for
the kill tests: each simulation takes STREAMSBI_TEST_DELAY seconds and appends a line to the file
STREAMSBI_TEST_COUNT once it is done, so that a test counts the simulations run across a kill."""
import math
import os
import random
import sys
import time

sys.path.insert(0, sys.argv[1])
import streamsbi_worker  # noqa: E402

DELAY = float(os.environ.get("STREAMSBI_TEST_DELAY", "0"))
COUNT = os.environ["STREAMSBI_TEST_COUNT"]


def two_moons(theta, seed):
    rng = random.Random(seed)
    a = rng.uniform(-math.pi / 2, math.pi / 2)
    r = rng.gauss(0.1, 0.01)
    p = (r * math.cos(a) + 0.25, r * math.sin(a))
    time.sleep(DELAY)
    with open(COUNT, "a") as count:
        count.write("%d\n" % seed)
    return [p[0] - abs(theta[0] + theta[1]) / math.sqrt(2), p[1] + (-theta[0] + theta[1]) / math.sqrt(2)]


streamsbi_worker.serve(two_moons)

"""The simulators `streamsbi bench simulators` times. The trivial one, x = theta shifted by the
seed, does almost no work, so that what is timed is the protocol; the sleeping one waits MS
milliseconds per simulation, as a solver running elsewhere would, and adds numpy noise (stdlib
noise without numpy), so that what is timed is how busy the worker keeps its slots.

    python3 bench_simulator.py one-shot | persistent | batched | sleeping MS
"""
import json
import sys
import time

import streamsbi_worker


def simulate(theta, seed):
    return [theta[0] + seed % 1000 / 1000.0, theta[1]]


def simulate_batch(thetas, seeds):
    return [simulate(theta, seed) for theta, seed in zip(thetas, seeds)]


def sleeping(ms):
    try:
        import numpy as np
    except ImportError:
        import random

        def noise(seed, n):
            rng = random.Random(seed)
            return [rng.gauss(0.0, 0.1) for _ in range(n)]
    else:
        def noise(seed, n):
            return 0.1 * np.random.default_rng(seed % 2**64).standard_normal(n)

    def simulate(theta, seed):
        time.sleep(ms / 1000.0)
        return [t + e for t, e in zip(theta, noise(seed, len(theta)))]

    return simulate


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "one-shot":
        request = json.loads(sys.stdin.readline())
        print(json.dumps(simulate(request["theta"], request["seed"])))
    elif mode == "persistent":
        streamsbi_worker.serve(simulate)
    elif mode == "batched":
        streamsbi_worker.serve_batch(simulate_batch)
    elif mode == "sleeping":
        streamsbi_worker.serve(sleeping(float(sys.argv[2])))
    else:
        sys.exit("mode must be one-shot, persistent, batched or sleeping, got %r" % mode)

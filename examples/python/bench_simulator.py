"""The trivial simulator `streamsbi bench simulators` times: x = theta shifted by the seed, almost
no work, so that what is timed is the protocol.

    python3 bench_simulator.py one-shot | persistent | batched
"""
import json
import sys

import streamsbi_worker


def simulate(theta, seed):
    return [theta[0] + seed % 1000 / 1000.0, theta[1]]


def simulate_batch(thetas, seeds):
    return [simulate(theta, seed) for theta, seed in zip(thetas, seeds)]


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "one-shot":
        request = json.loads(sys.stdin.readline())
        print(json.dumps(simulate(request["theta"], request["seed"])))
    elif mode == "persistent":
        streamsbi_worker.serve(simulate)
    elif mode == "batched":
        streamsbi_worker.serve_batch(simulate_batch)
    else:
        sys.exit("mode must be one-shot, persistent or batched, got %r" % mode)

#!/usr/bin/env python3
"""A StreamSBI process simulator using only the Python standard library.

A damped oscillator observed with noise: theta = (damping, frequency), x = the displacement at
ten times. It reads theta and the seed from standard input as JSON ({"theta": [...], "seed": n}),
or from --theta/--seed arguments, or from STREAMSBI_THETA/STREAMSBI_SEED, and prints x as a JSON
array on its last line of standard output. The seed makes x reproducible on any machine.

Run it by hand:   echo '{"theta": [0.3, 1.2], "seed": 7}' | python3 simulator.py
Run it as a worker: ./streamsbi simulate --bootstrap-servers HOST:PORT --run NAME \
                        --theta-dimension 2 --x-dimension 10 -- python3 examples/python/simulator.py
"""
import json
import math
import os
import random
import sys

TIMES = [0.5 * (i + 1) for i in range(10)]
NOISE = 0.05


def parameters():
    args = sys.argv[1:]
    if "--theta" in args and "--seed" in args:
        theta = [float(v) for v in args[args.index("--theta") + 1].split(",")]
        return theta, int(args[args.index("--seed") + 1])
    if "STREAMSBI_THETA" in os.environ:
        theta = [float(v) for v in os.environ["STREAMSBI_THETA"].split(",")]
        return theta, int(os.environ["STREAMSBI_SEED"])
    request = json.loads(sys.stdin.readline())
    return request["theta"], request["seed"]


def simulate(theta, seed):
    damping, frequency = theta
    rng = random.Random(seed)
    return [math.exp(-damping * t) * math.cos(frequency * t) + NOISE * rng.gauss(0.0, 1.0) for t in TIMES]


def main():
    theta, seed = parameters()
    if len(theta) != 2:
        print("expected 2 parameters, got %d" % len(theta), file=sys.stderr)
        return 2
    print(json.dumps(simulate(theta, seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

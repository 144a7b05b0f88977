"""A misbehaving simulator for the tests: what it does depends on the seed (seed % 10).

0 hangs, 1 prints garbage, 2 returns NaN, 3 returns the wrong dimension, 4 and 5 crash at random
(half of the attempts), the rest return x = (theta0 + seed % 7, theta1) after a log line.
"""
import json
import random
import sys
import time

request = json.loads(sys.stdin.readline())
theta, seed = request["theta"], request["seed"]
mode = seed % 10
print("flaky simulator starting, mode %d" % mode)
if mode == 0:
    print("hanging", file=sys.stderr, flush=True)
    time.sleep(120)
elif mode == 1:
    print("Segmentation fault? no: just garbage")
elif mode == 2:
    print(json.dumps([float("nan"), 1.0]))
elif mode == 3:
    print(json.dumps([1.0, 2.0, 3.0]))
elif mode in (4, 5) and random.random() < 0.5:
    print("random crash at seed %d" % seed, file=sys.stderr)
    sys.exit(3)
else:
    print(json.dumps([theta[0] + seed % 7, theta[1]]))

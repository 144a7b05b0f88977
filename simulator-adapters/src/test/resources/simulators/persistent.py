"""A persistent simulator for the tests, through the shipped helper (examples/python on PYTHONPATH).

x = (theta0 + seed % 7, theta1) unless the mode (first argument) says otherwise:
  well          answers every item
  crash-5th     exits with status 3 on its 5th request
  hang          hangs on a request holding an item with seed % 10 == 0
  garbage       per item: seed % 10 == 1 gives NaN, 2 three values, 3 an error
  exit-at-start exits with status 3 before reading anything
  slow          takes 20 ms per item
With PID_DIR set, it leaves a file named by its process id there.
"""
import os
import sys
import time

import streamsbi_worker

mode = sys.argv[1]
if os.environ.get("PID_DIR"):
    open(os.path.join(os.environ["PID_DIR"], str(os.getpid())), "w").close()
if mode == "exit-at-start":
    print("cannot load the model", file=sys.stderr)
    sys.exit(3)
requests = 0


def simulate_batch(thetas, seeds):
    global requests
    requests += 1
    if mode == "crash-5th" and requests == 5:
        print("crashing on request 5", file=sys.stderr, flush=True)
        os._exit(3)
    if mode == "hang" and any(s % 10 == 0 for s in seeds):
        print("hanging at seeds %s" % [s for s in seeds if s % 10 == 0], file=sys.stderr, flush=True)
        time.sleep(120)
    if mode == "slow":
        time.sleep(0.02 * len(seeds))
    xs = []
    for theta, seed in zip(thetas, seeds):
        kind = seed % 10 if mode == "garbage" else None
        if kind == 1:
            xs.append([float("nan"), 1.0])
        elif kind == 2:
            xs.append([1.0, 2.0, 3.0])
        elif kind == 3:
            xs.append(RuntimeError("diverged at seed %d" % seed))
        else:
            xs.append([theta[0] + seed % 7, theta[1]])
    return xs


streamsbi_worker.serve_batch(simulate_batch)

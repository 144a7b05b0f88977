"""A live solver: emits x = (theta0 * step, seed % 5) for steps 0..4, one JSON line per step.
When theta0 > 0.5 it dies with status 9 after step 2."""
import json
import sys

request = json.loads(sys.stdin.readline())
theta, seed = request["theta"], request["seed"]
for step in range(5):
    if step == 3 and theta[0] > 0.5:
        print("solver blew up at step 3", file=sys.stderr)
        sys.exit(9)
    print(json.dumps({"step": step, "x": [theta[0] * step, seed % 5]}), flush=True)

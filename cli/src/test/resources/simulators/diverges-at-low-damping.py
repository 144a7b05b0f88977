"""The example oscillator (its directory the first argument), whose solver diverges for damping
below 0.37, 30 % of the example's prior: it exits with status 1 there, every time."""
import json
import sys

sys.path.insert(0, sys.argv[1])
from simulator import simulate  # noqa: E402

request = json.loads(sys.stdin.readline())
damping = request["theta"][0]
if damping < 0.37:
    print("solver diverged at damping %.3f" % damping, file=sys.stderr)
    sys.exit(1)
print(json.dumps(simulate(request["theta"], request["seed"])))

"""StreamSBI's persistent protocol for Python simulators, standard library only.

Copy this file next to your simulator (it is not on a package index). Your existing function
becomes a persistent worker in three lines:

    from my_model import simulate            # simulate(theta, seed) -> x
    import streamsbi_worker
    streamsbi_worker.serve(simulate)

and a vectorised one, answering a whole batch of proposals at once (--batch N, run-file batch:):

    streamsbi_worker.serve_batch(simulate_batch)   # simulate_batch(thetas, seeds) -> list of x

Each request is one line of JSON on standard input, {"id": "7", "items": [{"theta": [...],
"seed": n}, ...]}; the reply is one line on standard output, {"id": "7", "results": [{"x": [...]}
or {"error": "..."}, ...]}, one result per item in order. While serving, print() goes to standard
error (the log channel; its end goes with every failure), because standard output carries replies
only. An exception for one item becomes that item's error and its traceback goes to standard error.
The worker exits when its standard input ends, which is how StreamSBI stops it (and how it never
outlives a worker that died). See docs/simulators.md for the protocol itself.
"""
import json
import sys
import traceback

__all__ = ["serve", "serve_batch"]


def serve(simulate):
    """Answers every request by calling simulate(theta, seed) -> x for each item in turn.

    theta is a list of floats, seed a 64-bit int, often negative, that must drive all randomness
    (the same theta and seed must give the same x on any machine; numpy wants
    np.random.default_rng(seed % 2**64)); x is any sequence of numbers (a list, a numpy array).
    """

    def answer(items):
        results = []
        for item in items:
            try:
                results.append({"x": _floats(simulate(item["theta"], item["seed"]))})
            except Exception as e:  # one item's failure is that item's error, not the worker's
                results.append(_error(e))
        return results

    _serve(answer)


def serve_batch(simulate_batch):
    """Answers every request with one call of simulate_batch(thetas, seeds) -> xs.

    thetas is a list of lists of floats, seeds a list of ints (give each item its own random
    generator seeded by its seed, so that an item's x does not depend on its batch); xs holds one
    x per item, in order, or an Exception instance for an item that failed. If simulate_batch
    raises, every item of the request fails with that error.
    """

    def answer(items):
        try:
            xs = list(simulate_batch([i["theta"] for i in items], [i["seed"] for i in items]))
            if len(xs) != len(items):
                raise ValueError("simulate_batch returned %d outputs for %d items" % (len(xs), len(items)))
        except Exception as e:
            return [_error(e)] * len(items)
        results = []
        for x in xs:
            if isinstance(x, BaseException):
                results.append({"error": "%s: %s" % (type(x).__name__, x)})
                continue
            try:
                results.append({"x": _floats(x)})
            except Exception as e:
                results.append(_error(e))
        return results

    _serve(answer)


def _floats(x):
    return [float(v) for v in x]


def _error(e):
    traceback.print_exc(file=sys.stderr)
    return {"error": "%s: %s" % (type(e).__name__, e)}


def _serve(answer):
    replies = sys.stdout
    sys.stdout = sys.stderr
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        request = json.loads(line)
        results = answer(request["items"])
        sys.stderr.flush()
        replies.write(json.dumps({"id": request["id"], "results": results}) + "\n")
        replies.flush()

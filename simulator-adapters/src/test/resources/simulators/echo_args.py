"""Writes its command-line arguments and environment values, as received, to the file named by
ECHO_TO, then prints x = (number of arguments, seed from the environment)."""
import json
import os
import sys

with open(os.environ["ECHO_TO"], "w", encoding="utf-8") as out:
    json.dump({"argv": sys.argv[1:], "theta": os.environ.get("STREAMSBI_THETA"),
               "seed": os.environ.get("STREAMSBI_SEED")}, out)
print("%d,%s" % (len(sys.argv) - 1, os.environ.get("STREAMSBI_SEED", "0")))

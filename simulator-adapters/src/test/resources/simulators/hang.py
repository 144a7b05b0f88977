"""Writes its process id to the file named by PID_TO, says so on stderr, then hangs."""
import os
import sys
import time

with open(os.environ["PID_TO"], "w") as out:
    out.write(str(os.getpid()))
print("about to hang", file=sys.stderr, flush=True)
time.sleep(300)

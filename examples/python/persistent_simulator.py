"""The damped oscillator of simulator.py as a persistent worker (examples/process-simulator.yaml)."""
from simulator import simulate
import streamsbi_worker

streamsbi_worker.serve(simulate)

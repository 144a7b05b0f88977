package org.streamsbi.simulator;

import java.time.Duration;
import java.util.List;
import org.streamsbi.core.Proposal;

/**
 * A simulator that answers several proposals in one call and keeps its own clock, because only it
 * can stop and restart what runs them. Each worker opens a session (its own running programs)
 * and closes it when it stops.
 */
interface BatchSimulator {

  /** Proposals per call at most. */
  int batchSize();

  /** Opens a worker's session, starting {@code slots} programs at once so that their start-up overlaps the worker's. */
  Session open(int slots);

  /** How one proposal of a call ended: its x, or its failure. */
  record Result(float[] x, SimulationException failure) {
    static Result of(float[] x) {
      return new Result(x, null);
    }

    static Result failed(SimulationException failure) {
      return new Result(null, failure);
    }
  }

  /** The running programs of one worker. */
  interface Session extends AutoCloseable {
    /**
     * Simulates the proposals in one request; never throws for a simulation failure.
     *
     * @param timeLimit longest the request may take before its program is killed and all its
     *     proposals fail as timed out; zero for none
     * @return one result per proposal, in order
     */
    List<Result> simulate(List<Proposal> proposals, Duration timeLimit);

    /** Ends the programs: end of input first, killed after a grace period. */
    @Override
    void close();
  }
}

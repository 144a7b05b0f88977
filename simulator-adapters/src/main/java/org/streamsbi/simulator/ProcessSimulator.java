package org.streamsbi.simulator;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A simulator that is an external program, run once per simulation: Fortran, C++, Python, any
 * language. θ and the seed go in as configured ({@link ProcessSimulatorConfig.Channel}); x is the
 * last non-blank line of standard output, a JSON array or a CSV line, so the program may log
 * before it. A non-zero exit, unparsable output, NaN or ±∞, or the wrong dimension fails the
 * simulation with the end of stderr attached.
 *
 * <p>It has no clock of its own: interrupting the calling thread kills the program, which is how
 * the worker's time limiter stops an overrunning simulation.
 */
public final class ProcessSimulator extends ExternalProgram implements Simulator {

  public ProcessSimulator(ProcessSimulatorConfig config) {
    super(config);
  }

  @Override
  public float[] simulate(float[] theta, long seed) {
    AtomicReference<String> last = new AtomicReference<>("");
    String stderrTail =
        process.run(
            theta,
            seed,
            line -> {
              if (!line.isBlank()) {
                last.set(line);
              }
            });
    return OutputLine.parse(last.get(), config.xDimension(), stderrTail).x();
  }
}

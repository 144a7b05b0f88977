package org.streamsbi.simulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live solver run as an external program that emits many outputs during its run, one line of
 * JSON per output on standard output: {@code {"step": n, "x": [...]}}, or a bare array whose step
 * is its position among the outputs. Each output reaches the worker as the line is read. A run
 * that dies part-way keeps what it emitted; the failure reports the rest. The first invalid line
 * fails the run (later lines are not used) while the outputs before it are kept.
 */
public final class StreamingProcessSimulator extends ExternalProgram implements StreamingSimulator {

  public StreamingProcessSimulator(ProcessSimulatorConfig config) {
    super(config);
  }

  @Override
  public void simulate(float[] theta, long seed, Outputs outputs) {
    AtomicInteger position = new AtomicInteger();
    AtomicReference<SimulationException> invalid = new AtomicReference<>();
    String stderrTail;
    try {
      stderrTail =
          process.run(
              theta,
              seed,
              line -> {
                if (line.isBlank() || invalid.get() != null) {
                  return;
                }
                try {
                  OutputLine.Output output = OutputLine.parse(line, config.xDimension(), "");
                  int index = position.getAndIncrement();
                  outputs.accept(output.step() == null ? index : output.step(), output.x());
                } catch (SimulationException e) {
                  invalid.set(e);
                }
              });
    } catch (SimulationException e) {
      throw new SimulationException(
          e.getMessage() + " after " + position.get() + " outputs", e.kind(),
          e.exitCode().isPresent() ? e.exitCode().getAsInt() : null, e.stderrTail());
    }
    if (invalid.get() != null) {
      throw new SimulationException(
          invalid.get().getMessage() + " after " + position.get() + " outputs",
          SimulationException.Kind.INVALID_OUTPUT, 0, stderrTail);
    }
    if (position.get() == 0) {
      throw new SimulationException(
          "solver exited without emitting any output", SimulationException.Kind.INVALID_OUTPUT, 0, stderrTail);
    }
  }
}

package org.streamsbi.simulator;

/**
 * A simulator that emits many outputs during one run, one per step (a time step of a solver, say).
 * Each output becomes its own sample, tagged with its step. A run that fails part-way keeps what
 * it emitted: it throws {@link SimulationException} after the outputs it did produce.
 */
public interface StreamingSimulator {

  int thetaDimension();

  int xDimension();

  /**
   * Runs one simulation, handing each output to {@code outputs} as it appears.
   *
   * @throws SimulationException when the run fails, whether or not it emitted outputs first
   */
  void simulate(float[] theta, long seed, Outputs outputs);

  /** Receives the outputs of a run; may be called from another thread than the caller's. */
  @FunctionalInterface
  interface Outputs {
    void accept(int step, float[] x);
  }

  /**
   * The id of the sample for a step: the proposal id and the step, so that a rerun of the same
   * proposal yields the same ids and the buffer drops the repeats.
   */
  default String sampleId(String proposalId, int step) {
    return proposalId + "#" + step;
  }

  /** A simulator with one output per run, whose sample keeps the proposal's id. */
  static StreamingSimulator of(Simulator simulator) {
    return new StreamingSimulator() {
      @Override
      public int thetaDimension() {
        return simulator.thetaDimension();
      }

      @Override
      public int xDimension() {
        return simulator.xDimension();
      }

      @Override
      public void simulate(float[] theta, long seed, Outputs outputs) {
        outputs.accept(0, simulator.simulate(theta, seed));
      }

      @Override
      public String sampleId(String proposalId, int step) {
        return proposalId;
      }
    };
  }
}

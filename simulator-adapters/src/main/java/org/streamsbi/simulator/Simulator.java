package org.streamsbi.simulator;

/**
 * A simulator: x ~ p(x | θ), made deterministic by its seed so that any worker reproduces the
 * same x for the same proposal.
 */
public interface Simulator {

  int thetaDimension();

  int xDimension();

  /**
   * @throws SimulationException when the simulation fails; the worker sets the proposal aside as
   *     a dead letter with the message
   */
  float[] simulate(float[] theta, long seed);

  /** The simulation itself, for {@link #of}. */
  @FunctionalInterface
  interface Function {
    float[] simulate(float[] theta, long seed);
  }

  /** A simulator from a function, as sbi takes a Python callable. */
  static Simulator of(int thetaDimension, int xDimension, Function function) {
    if (thetaDimension < 1 || xDimension < 1) {
      throw new IllegalArgumentException(
          "dimensions must be positive, got θ " + thetaDimension + " and x " + xDimension);
    }
    return new Simulator() {
      @Override
      public int thetaDimension() {
        return thetaDimension;
      }

      @Override
      public int xDimension() {
        return xDimension;
      }

      @Override
      public float[] simulate(float[] theta, long seed) {
        return function.simulate(theta, seed);
      }
    };
  }
}

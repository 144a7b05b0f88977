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
}

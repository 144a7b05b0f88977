package org.streamsbi.simulator;

/**
 * An external program with its configuration: what a per-simulation process and a streaming
 * solver share.
 */
abstract class ExternalProgram {
  final ProcessSimulatorConfig config;
  final SimulatorProcess process;

  ExternalProgram(ProcessSimulatorConfig config) {
    this.config = config;
    this.process = new SimulatorProcess(config);
  }

  public int thetaDimension() {
    return config.thetaDimension();
  }

  public int xDimension() {
    return config.xDimension();
  }
}

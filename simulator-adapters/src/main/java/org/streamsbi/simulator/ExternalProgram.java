package org.streamsbi.simulator;

/**
 * An external program with its configuration: what a per-simulation process and a streaming
 * solver share.
 */
abstract class ExternalProgram {
  final ProcessSimulatorConfig config;
  final SimulatorProcess process;

  ExternalProgram(ProcessSimulatorConfig config) {
    if (config.protocol() != ProcessSimulatorConfig.Protocol.ONE_SHOT) {
      throw new IllegalArgumentException(
          "protocol must be ONE_SHOT for a program run once per simulation, got " + config.protocol());
    }
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

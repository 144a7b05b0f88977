package org.streamsbi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A run configuration as written in YAML ({@code streamsbi run --config run.yaml}), field for field
 * in snake_case. Every field may be absent (null): {@link RunPlan} fills in defaults and checks
 * values, naming each field by its path. A new setting is a new record component here and one
 * line in {@link RunPlan}.
 *
 * @param task an sbibm task that supplies the prior, simulator and observations not given below
 */
record RunFile(
    String run,
    String task,
    Prior prior,
    Simulator simulator,
    Observation observation,
    Budget budget,
    String method,
    Integer rounds,
    Integer refreshSteps,
    Integer inFlight,
    Double regionTolerance,
    Integer atoms,
    Estimator estimator,
    Trainer trainer,
    Buffer buffer,
    Kafka kafka,
    Output output,
    Dashboard dashboard) {

  /** Exactly one of the four. */
  record Prior(String task, Box boxUniform, Gaussian normal, Gaussian lognormal) {}

  record Box(double[] low, double[] high) {}

  /** For {@code lognormal}, the mean and covariance of log θ. */
  record Gaussian(double[] mean, double[][] cov) {}

  /** The sbibm task's own simulator, or a program; {@code workers} in-JVM workers run it. */
  record Simulator(String task, Process process, Integer workers) {}

  record Process(
      List<String> command,
      List<String> pass,
      Integer xDimension,
      String workingDirectory,
      Map<String, String> environment,
      Double timeoutSeconds,
      Integer maxAttempts,
      Double backoffSeconds,
      Integer concurrency,
      Boolean streaming,
      String protocol,
      Integer batch) {}

  /**
   * Exactly one of: sbibm's observation number, inline values (one x_o as a list of numbers, or a
   * list of them), or a CSV file with a header line and one x_o per row.
   */
  record Observation(Integer taskIndex, JsonNode values, String csv) {}

  record Budget(Integer simulations) {}

  /** {@code embedding}: none, mlp or cnn; {@code logit_transform} needs a box_uniform prior. */
  record Estimator(String name, Integer transforms, Integer hiddenUnits, String embedding, Boolean logitTransform,
      Integer ensemble) {}

  /**
   * {@code learning_rate_schedule}: constant, cosine:WARMUP:DECAY[:FINAL] or
   * plateau:FACTOR:PATIENCE[:MIN]; {@code resume} continues from the checkpoint in
   * {@code checkpoint_directory}.
   */
  record Trainer(
      Integer batchSize,
      Double learningRate,
      String learningRateSchedule,
      Integer validationInterval,
      Integer patience,
      Double clipMaxNorm,
      Long seed,
      String checkpointDirectory,
      Integer checkpointInterval,
      Boolean resume,
      Double weightDecay) {}

  record Buffer(
      Integer capacity,
      Integer watermark,
      Double validationFraction,
      String selector,
      String eviction,
      Double samplesPerInsert,
      Double errorBuffer) {}

  /**
   * Without bootstrap_servers the run starts its own broker in data_directory; outage_limit_seconds
   * is how long the run waits for a cluster that stopped answering.
   */
  record Kafka(
      String bootstrapServers,
      Map<String, String> properties,
      Double outageLimitSeconds,
      String dataDirectory,
      Integer partitions,
      Integer proposalsPerMessage) {}

  record Output(String directory, Integer posteriorSamples) {}

  /**
   * The live dashboard and /metrics; its access token comes from --dashboard-token or the
   * environment, never from this file.
   */
  record Dashboard(Boolean enabled, String host, Integer port) {}
}

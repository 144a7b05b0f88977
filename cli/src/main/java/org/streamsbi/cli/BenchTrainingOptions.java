package org.streamsbi.cli;

import java.util.Locale;
import org.streamsbi.controller.Method;
import org.streamsbi.controller.RunConfig;
import org.streamsbi.trainer.Estimator;
import org.streamsbi.trainer.FlowConfig;
import org.streamsbi.trainer.LearningRateSchedule;
import org.streamsbi.trainer.TrainerConfig;
import picocli.CommandLine.Option;

/**
 * The estimator and training settings of the whole runs a benchmark makes, with {@code run}'s
 * defaults, so that a benchmark measures what users get.
 */
final class BenchTrainingOptions {
  @Option(names = "--estimator", description = "maf, nsf or mdn, as run's (default: the method's, as run's: nsf for tsnpe and tsnpe-async, maf otherwise)")
  String estimator;

  @Option(names = "--transforms", defaultValue = "5", description = "layers of a flow, as run files' estimator.transforms (default ${DEFAULT-VALUE})")
  int transforms;

  @Option(names = "--hidden-units", defaultValue = "50", description = "units of each hidden layer, as run files' estimator.hidden_units (default ${DEFAULT-VALUE})")
  int hiddenUnits;

  @Option(names = "--logit-transform", description = "fit the estimator to logit((θ − low)/(high − low)) of the BoxUniform prior, as run's")
  boolean logitTransform;

  @Option(names = "--ensemble", defaultValue = "1", description = "estimators trained side by side, whose mixture is the posterior, as run's (default ${DEFAULT-VALUE})")
  int ensemble;

  @Option(names = "--learning-rate", description = "Adam's step size, as run's (default " + RunPlan.DEFAULT_LEARNING_RATE + ")")
  double learningRate = RunPlan.DEFAULT_LEARNING_RATE;

  @Option(names = "--lr-schedule", description = "learning-rate schedule, as run's (default " + RunPlan.DEFAULT_LEARNING_RATE_SCHEDULE + ")")
  String learningRateSchedule = RunPlan.DEFAULT_LEARNING_RATE_SCHEDULE;

  @Option(names = "--batch-size", description = "training minibatch, as run's (default: by the budget, as run's)")
  Integer batchSize;

  @Option(names = "--weight-decay", defaultValue = "0", description = "AdamW's decoupled weight decay, as run's (default ${DEFAULT-VALUE})")
  double weightDecay;

  @Option(names = "--patience", defaultValue = "20", description = "validations without improvement before training stops, as run's (default ${DEFAULT-VALUE})")
  int patience;

  @Option(names = "--validation-interval", defaultValue = "0", description = "training steps between validations, as run's (default ${DEFAULT-VALUE})")
  int validationInterval;

  /** The settings as a line of the bench's output, so that its figures can be reproduced. */
  String describe(int simulations, Method method) {
    return flow(method).describe() + ", batch " + batchSize(simulations)
        + ", learning rate " + learningRate + " " + learningRateSchedule
        + (weightDecay > 0 ? ", weight decay " + weightDecay : "") + ", patience " + patience;
  }

  /** @throws IllegalArgumentException naming the option */
  FlowConfig flow(Method method) {
    Estimator family;
    try {
      family = estimator == null ? method.defaultEstimator() : Estimator.valueOf(estimator.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--estimator must be maf, nsf or mdn, got " + estimator);
    }
    if (transforms < 1 || hiddenUnits < 1 || ensemble < 1) {
      throw new IllegalArgumentException(
          "--transforms, --hidden-units and --ensemble must be at least 1, got " + transforms + ", "
              + hiddenUnits + " and " + ensemble);
    }
    return new FlowConfig(family, transforms, hiddenUnits)
        .withLogitTransform(logitTransform)
        .withEnsemble(ensemble);
  }

  private int batchSize(int simulations) {
    return batchSize != null ? batchSize : RunConfig.batchSizeFor(simulations);
  }

  /** @throws IllegalArgumentException naming the setting that is out of range */
  TrainerConfig trainer(long seed, int simulations) {
    TrainerConfig defaults = TrainerConfig.defaults();
    return new TrainerConfig(batchSize(simulations), learningRate, validationInterval, defaults.clipMaxNorm(), seed)
        .withLearningRateSchedule(LearningRateSchedule.parse(learningRateSchedule))
        .withWeightDecay(weightDecay);
  }
}

package org.streamsbi.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The estimator and trainer flags that {@code run} and {@code train} share; each maps onto the
 * run-file field {@link RunCommand#FIELDS} names, where the config validates it.
 */
final class TrainingOptions {
  @Option(names = "--seed", description = "seeds proposals, initial weights, minibatches and sampling (default 0)")
  Long seed;

  @Option(names = "--patience", description = "validations without improvement before training stops, once all samples arrived (default 20)")
  Integer patience;

  @Option(names = "--batch-size", description = "training minibatch (default: a sixteenth of the budget (of the samples, for train) rounded up to a multiple of 32, from 32 to 256)")
  Integer batchSize;

  @Option(names = "--learning-rate", description = "Adam step size (default " + RunPlan.DEFAULT_LEARNING_RATE + ")")
  Double learningRate;

  @Option(names = "--validation-interval", description = "training steps between validations; 0 for one epoch of the training split (default 0)")
  Integer validationInterval;

  @Option(names = "--estimator", description = "density estimator: maf, nsf or mdn, as sbi's (default by method: nsf for tsnpe and tsnpe-async, maf for npe and snpe)")
  String estimator;

  @Option(names = "--embedding", description = "network from x to the estimator's features, trained with it: none, mlp (50 units, 20 features) or cnn (1-D, 8 channels, kernel 5, 20 features; for time series) (default none)")
  String embedding;

  @Option(names = "--logit-transform", description = "fit the estimator to logit((θ − low)/(high − low)) of a BoxUniform prior, so that every draw lies inside the box")
  Boolean logitTransform;

  @Option(names = "--ensemble", paramLabel = "N", description = "train N estimators side by side from different initial weights and sample their equal-weight mixture, as sbi's NeuralPosteriorEnsemble; each costs a training step (default 1)")
  Integer ensemble;

  @Option(names = "--weight-decay", description = "AdamW's decoupled weight decay: each step shrinks the weights by learning rate × this (default 0, plain Adam as sbi)")
  Double weightDecay;

  @Option(names = "--lr-schedule", description = "learning-rate schedule: constant, cosine:WARMUP:DECAY[:FINAL] (steps; final factor, default 0) or plateau:FACTOR:PATIENCE[:MIN] (validations; minimum factor, default 0.01) (default " + RunPlan.DEFAULT_LEARNING_RATE_SCHEDULE + ")")
  String learningRateSchedule;

  @Option(names = "--checkpoint-dir", description = "keep a training checkpoint (parameters, Adam state, z-scoring, step) in this directory")
  Path checkpointDirectory;

  @Option(names = "--checkpoint-interval", description = "training steps between checkpoints; one is also written at the end (default 500)")
  Integer checkpointInterval;
}

package org.streamsbi.trainer;

import java.nio.file.Path;

/**
 * How the posterior estimator is trained.
 *
 * @param batchSize rows drawn from the replay buffer per Adam step
 * @param learningRate Adam's step size (sbi: 5e-4)
 * @param validationInterval steps between validations; 0 means one epoch of the training split
 *     as it is at each validation (⌈trainingSize / batchSize⌉), so the interval follows a buffer
 *     that is still growing and a patience counted in validations means epochs, as in sbi
 * @param clipMaxNorm largest global L2 norm of the gradient; larger gradients are scaled down
 *     (sbi: 5)
 * @param seed seeds the initial weights and the minibatch draws
 * @param checkpointDirectory where a checkpoint is kept, or null for none
 * @param checkpointInterval steps between checkpoints (one is also written when training ends);
 *     0 when there is no checkpoint directory
 * @param resume whether to continue from the checkpoint in the directory, when there is one
 * @param learningRateSchedule how the learning rate changes during training (sbi: constant)
 * @param weightDecay AdamW's decoupled weight decay: each step shrinks every weight by learning
 *     rate × weightDecay of itself, pulling weights the data does not hold up towards zero; 0 is
 *     plain Adam (sbi)
 */
public record TrainerConfig(
    int batchSize,
    double learningRate,
    int validationInterval,
    double clipMaxNorm,
    long seed,
    Path checkpointDirectory,
    int checkpointInterval,
    boolean resume,
    LearningRateSchedule learningRateSchedule,
    double weightDecay) {

  public TrainerConfig {
    if (learningRateSchedule == null) {
      throw new IllegalArgumentException("trainer.learningRateSchedule must be given");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("trainer.batchSize must be at least 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException(
          "trainer.learningRate must be a positive finite number, got " + learningRate);
    }
    if (validationInterval < 0) {
      throw new IllegalArgumentException(
          "trainer.validationInterval must be 0 (one epoch) or a number of steps, got "
              + validationInterval);
    }
    if (!(clipMaxNorm > 0)) {
      throw new IllegalArgumentException(
          "trainer.clipMaxNorm must be positive, got " + clipMaxNorm);
    }
    if (checkpointDirectory != null && checkpointInterval < 1) {
      throw new IllegalArgumentException(
          "trainer.checkpointInterval must be at least 1 step with a checkpoint directory, got "
              + checkpointInterval);
    }
    if (checkpointDirectory == null && checkpointInterval != 0) {
      throw new IllegalArgumentException(
          "trainer.checkpointInterval needs trainer.checkpointDirectory");
    }
    if (checkpointDirectory == null && resume) {
      throw new IllegalArgumentException("trainer.resume needs trainer.checkpointDirectory");
    }
    if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
      throw new IllegalArgumentException(
          "trainer.weightDecay must be 0 or a positive finite number, got " + weightDecay);
    }
  }

  /** A constant learning rate. */
  public TrainerConfig(
      int batchSize,
      double learningRate,
      int validationInterval,
      double clipMaxNorm,
      long seed,
      Path checkpointDirectory,
      int checkpointInterval,
      boolean resume) {
    this(
        batchSize, learningRate, validationInterval, clipMaxNorm, seed, checkpointDirectory,
        checkpointInterval, resume, LearningRateSchedule.constant(), 0);
  }

  /** No checkpoints, a constant learning rate. */
  public TrainerConfig(
      int batchSize, double learningRate, int validationInterval, double clipMaxNorm, long seed) {
    this(batchSize, learningRate, validationInterval, clipMaxNorm, seed, null, 0, false);
  }

  /**
   * Batch 256, constant learning rate 5e-4, validation every epoch, clipping at norm 5, seed 0.
   */
  public static TrainerConfig defaults() {
    return new TrainerConfig(256, 5e-4, 0, 5.0, 0);
  }

  public TrainerConfig withBatchSize(int newBatchSize) {
    return new TrainerConfig(
        newBatchSize, learningRate, validationInterval, clipMaxNorm, seed, checkpointDirectory,
        checkpointInterval, resume, learningRateSchedule, weightDecay);
  }

  public TrainerConfig withSeed(long newSeed) {
    return new TrainerConfig(
        batchSize, learningRate, validationInterval, clipMaxNorm, newSeed, checkpointDirectory,
        checkpointInterval, resume, learningRateSchedule, weightDecay);
  }

  /**
   * Keeps a checkpoint in {@code directory} every {@code interval} steps and at the end, and
   * continues from it when {@code resume} is set and it exists.
   */
  public TrainerConfig withCheckpoints(Path directory, int interval, boolean resume) {
    return new TrainerConfig(
        batchSize, learningRate, validationInterval, clipMaxNorm, seed, directory, interval,
        resume, learningRateSchedule, weightDecay);
  }

  public TrainerConfig withLearningRateSchedule(LearningRateSchedule schedule) {
    return new TrainerConfig(
        batchSize, learningRate, validationInterval, clipMaxNorm, seed, checkpointDirectory,
        checkpointInterval, resume, schedule, weightDecay);
  }

  public TrainerConfig withWeightDecay(double decay) {
    return new TrainerConfig(
        batchSize, learningRate, validationInterval, clipMaxNorm, seed, checkpointDirectory,
        checkpointInterval, resume, learningRateSchedule, decay);
  }
}

package org.streamsbi.trainer;

/**
 * The state of a training run at one validation. Losses are mean negative log-densities
 * −log q(θ | x) in the original θ space, in nats.
 *
 * @param step Adam steps taken
 * @param samplesSeen rows drawn from the buffer so far (steps × batch size)
 * @param trainingLoss mean minibatch loss since the previous validation
 * @param validationLoss loss on the buffer's validation split now; NaN while that split is empty
 * @param bestValidationLoss lowest validation loss so far
 * @param validationsSinceImprovement validations since the best one; 0 when this one is the best
 * @param trainingSeconds wall time since training started, after the watermark was reached
 * @param learningRate Adam's step size at the latest step, as the schedule set it
 * @param stepsPerSecond Adam steps per second of wall time since the previous validation,
 *     validations excluded
 * @param samplesPerSecond training rows per second over the same time
 * @param watermarkSeconds wall time spent waiting for the buffer's watermark before training
 * @param waitingSeconds wall time since training started spent getting minibatches from the
 *     buffer: blocked by its rate limiter or waiting for rows, and drawing them
 */
public record TrainingProgress(
    long step,
    long samplesSeen,
    double trainingLoss,
    double validationLoss,
    double bestValidationLoss,
    int validationsSinceImprovement,
    double trainingSeconds,
    double learningRate,
    double stepsPerSecond,
    double samplesPerSecond,
    double watermarkSeconds,
    double waitingSeconds) {}

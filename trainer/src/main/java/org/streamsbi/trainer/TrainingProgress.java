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
 */
public record TrainingProgress(
    long step,
    long samplesSeen,
    double trainingLoss,
    double validationLoss,
    double bestValidationLoss,
    int validationsSinceImprovement,
    double trainingSeconds) {}

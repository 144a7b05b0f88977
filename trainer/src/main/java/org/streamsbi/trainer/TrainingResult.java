package org.streamsbi.trainer;

/**
 * What a training run produced.
 *
 * @param steps Adam steps taken
 * @param validationLoss validation loss of the returned parameters (the best seen); NaN when the
 *     validation split stayed empty
 * @param posterior the estimator with the best parameters; the caller owns it and closes it
 * @param watermarkSeconds wall time spent waiting for the buffer's watermark
 * @param trainingSeconds wall time from the watermark until training stopped
 * @param waitingSeconds of the training time, the part spent getting minibatches from the buffer
 */
public record TrainingResult(
    long steps,
    double validationLoss,
    Posterior posterior,
    double watermarkSeconds,
    double trainingSeconds,
    double waitingSeconds) {}

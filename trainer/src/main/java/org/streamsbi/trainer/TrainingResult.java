package org.streamsbi.trainer;

/**
 * What a training run produced.
 *
 * @param steps Adam steps taken
 * @param validationLoss validation loss of the returned parameters (the best seen); NaN when the
 *     validation split stayed empty
 * @param posterior the estimator with the best parameters; the caller owns it and closes it
 */
public record TrainingResult(long steps, double validationLoss, Posterior posterior) {}

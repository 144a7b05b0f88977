package org.streamsbi.trainer;

/**
 * Draws from a posterior restricted to the prior's support.
 *
 * @param theta the draws, one θ per row
 * @param acceptanceRate share of the flow's draws that fell inside the prior's support
 * @param method how the draws were made
 * @param effectiveSampleSize for {@link Method#SAMPLING_IMPORTANCE_RESAMPLING}, Kish's effective
 *     size (Σw)²/Σw² of the weighted proposals resampled from; the number of draws otherwise
 */
public record PosteriorSamples(
    float[][] theta, double acceptanceRate, Method method, double effectiveSampleSize) {

  /** How posterior draws were made. */
  public enum Method {
    /** The flow's draws that fell inside the prior's support: exact. */
    REJECTION,
    /**
     * Too few of the flow's draws were inside the support (leakage): draws from the prior,
     * weighted by q(θ | x) / p(θ) and resampled, approximate with few effective draws.
     */
    SAMPLING_IMPORTANCE_RESAMPLING
  }
}

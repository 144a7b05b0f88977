package org.streamsbi.trainer;

/**
 * Draws from a posterior restricted to the prior's support.
 *
 * @param theta the accepted draws, one θ per row
 * @param acceptanceRate share of the flow's draws that fell inside the prior's support
 */
public record PosteriorSamples(float[][] theta, double acceptanceRate) {}

package org.streamsbi.buffer;

/**
 * A view of the buffer at one moment. Rates cover the time since the previous call of
 * {@link ReplayBuffer#metrics()} (or since the buffer was made).
 *
 * @param trainingSize training samples held
 * @param validationSize validation samples held
 * @param inserts training samples inserted so far
 * @param draws rows drawn so far
 * @param insertsPerSecond training inserts per second over the window
 * @param drawsPerSecond rows drawn per second over the window
 * @param drawsPerInsert the put/get balance over the window: rows drawn per training insert
 * @param timesSeen held samples by times drawn: bucket 0 counts never drawn, bucket k ≥ 1 counts
 *     those drawn between 2^(k−1) and 2^k − 1 times
 * @param thetaMean per θ column, over held training samples
 * @param thetaStd per θ column
 * @param xMean per x column
 * @param xStd per x column
 * @param offHeapBytes Arrow memory the buffer holds
 */
public record BufferMetrics(
    int trainingSize,
    int validationSize,
    long inserts,
    long draws,
    double insertsPerSecond,
    double drawsPerSecond,
    double drawsPerInsert,
    long[] timesSeen,
    double[] thetaMean,
    double[] thetaStd,
    double[] xMean,
    double[] xStd,
    long offHeapBytes) {}

package org.streamsbi.buffer;

/**
 * Rows of (θ, x) in row-major float arrays, ready to be copied into a tensor in one call, with
 * each row's key (to report a per-row loss back) and round (to select or weight by round).
 *
 * @param size number of rows
 * @param thetaDimension values of θ per row
 * @param xDimension values of x per row
 * @param theta {@code size × thetaDimension} values
 * @param x {@code size × xDimension} values
 * @param keys per row, the key {@link ReplayBuffer#reportLosses} takes
 * @param rounds per row, the proposal round the sample came from
 */
public record Minibatch(
    int size, int thetaDimension, int xDimension, float[] theta, float[] x, long[] keys, int[] rounds) {

  public Minibatch {
    if (theta.length != size * thetaDimension || x.length != size * xDimension) {
      throw new IllegalArgumentException(
          "a minibatch of " + size + " rows needs " + size * thetaDimension + " θ and "
              + size * xDimension + " x values, got " + theta.length + " and " + x.length);
    }
    if (keys.length != size || rounds.length != size) {
      throw new IllegalArgumentException(
          "a minibatch of " + size + " rows needs " + size + " keys and rounds, got "
              + keys.length + " and " + rounds.length);
    }
  }

  /** θ of one row, copied. */
  public float[] theta(int row) {
    float[] out = new float[thetaDimension];
    System.arraycopy(theta, row * thetaDimension, out, 0, thetaDimension);
    return out;
  }

  /** x of one row, copied. */
  public float[] x(int row) {
    float[] out = new float[xDimension];
    System.arraycopy(x, row * xDimension, out, 0, xDimension);
    return out;
  }
}

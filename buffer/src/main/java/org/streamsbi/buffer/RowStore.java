package org.streamsbi.buffer;

import java.util.Arrays;

/**
 * A ring of (θ, x) rows in flat float arrays that grow up to a capacity and then overwrite the
 * oldest row. Not thread-safe: the buffer guards it.
 */
final class RowStore {
  private final int capacity;
  private final int thetaDimension;
  private final int xDimension;
  private float[] theta;
  private float[] x;
  private int size;
  private int next;

  RowStore(int capacity, int thetaDimension, int xDimension) {
    this.capacity = capacity;
    this.thetaDimension = thetaDimension;
    this.xDimension = xDimension;
    int initial = Math.min(capacity, 1024);
    this.theta = new float[initial * thetaDimension];
    this.x = new float[initial * xDimension];
  }

  void add(float[] rowTheta, float[] rowX) {
    if (next * thetaDimension == theta.length && theta.length < capacity * thetaDimension) {
      int rows = (int) Math.min(capacity, 2L * theta.length / thetaDimension);
      theta = Arrays.copyOf(theta, rows * thetaDimension);
      x = Arrays.copyOf(x, rows * xDimension);
    }
    System.arraycopy(rowTheta, 0, theta, next * thetaDimension, thetaDimension);
    System.arraycopy(rowX, 0, x, next * xDimension, xDimension);
    next = (next + 1) % capacity;
    size = Math.min(size + 1, capacity);
  }

  int size() {
    return size;
  }

  void copyRow(int row, float[] thetaOut, float[] xOut, int slot) {
    System.arraycopy(theta, row * thetaDimension, thetaOut, slot * thetaDimension, thetaDimension);
    System.arraycopy(x, row * xDimension, xOut, slot * xDimension, xDimension);
  }

  Minibatch all() {
    return new Minibatch(
        size,
        thetaDimension,
        xDimension,
        Arrays.copyOf(theta, size * thetaDimension),
        Arrays.copyOf(x, size * xDimension));
  }
}

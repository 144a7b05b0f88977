package org.streamsbi.trainer;

/**
 * numpy's legacy {@code RandomState} as scikit-learn makes it from an integer {@code
 * random_state}: MT19937 seeded by {@code init_genrand}, its 53-bit doubles and its in-place
 * shuffle, bit for bit, so that the C2ST draws the same folds, initial weights and batch orders as
 * sbibm's for the same seed. (The Mersenne Twisters of the kept libraries seed from an array, which
 * numpy does only for array seeds.)
 */
final class NumpyRandomState {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] state = new int[N];
  private int position;

  /** {@code RandomState(seed)} for seeds in [0, 2³²); other seeds use their low 32 bits. */
  NumpyRandomState(long seed) {
    state[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      state[i] = 1812433253 * (state[i - 1] ^ (state[i - 1] >>> 30)) + i;
    }
    position = N;
  }

  /** {@code random_sample()}: a double in [0, 1) from two 32-bit draws. */
  double nextDouble() {
    long high = nextInt() >>> 5;
    long low = nextInt() >>> 6;
    return (high * 67108864.0 + low) / 9007199254740992.0;
  }

  /** {@code uniform(low, high)}. */
  double uniform(double low, double high) {
    return low + (high - low) * nextDouble();
  }

  /** {@code shuffle(values)} of a 1-d array: Fisher–Yates from the end, bounded by masking. */
  void shuffle(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = interval(i);
      int swapped = values[i];
      values[i] = values[j];
      values[j] = swapped;
    }
  }

  /** A uniform integer in [0, max]: draws masked to max's bit length until one is not above it. */
  private int interval(int max) {
    int mask = -1 >>> Integer.numberOfLeadingZeros(max);
    int value;
    do {
      value = nextInt() & mask;
    } while (value > max);
    return value;
  }

  private int nextInt() {
    if (position >= N) {
      twist();
    }
    int y = state[position++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void twist() {
    for (int k = 0; k < N; k++) {
      int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
      state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
    }
    position = 0;
  }
}

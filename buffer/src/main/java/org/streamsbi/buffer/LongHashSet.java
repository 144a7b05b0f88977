package org.streamsbi.buffer;

/**
 * An open-addressing set of 64-bit sample keys: ten million ids in 256 MiB of heap instead of
 * the gigabytes a HashSet of strings takes. Zero is stored apart because it marks empty slots.
 */
final class LongHashSet {
  private long[] table = new long[1 << 10];
  private int size;
  private boolean hasZero;

  /** @return false when already present */
  boolean add(long key) {
    if (key == 0) {
      boolean added = !hasZero;
      hasZero = true;
      size += added ? 1 : 0;
      return added;
    }
    if (2 * (size + 1) > table.length) {
      grow();
    }
    int mask = table.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (table[i] == key) {
        return false;
      }
      if (table[i] == 0) {
        table[i] = key;
        size++;
        return true;
      }
    }
  }

  boolean contains(long key) {
    if (key == 0) {
      return hasZero;
    }
    int mask = table.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (table[i] == key) {
        return true;
      }
      if (table[i] == 0) {
        return false;
      }
    }
  }

  int size() {
    return size;
  }

  long[] toArray() {
    long[] out = new long[size];
    int n = 0;
    if (hasZero) {
      out[n++] = 0;
    }
    for (long k : table) {
      if (k != 0) {
        out[n++] = k;
      }
    }
    return out;
  }

  private void grow() {
    long[] old = table;
    table = new long[old.length * 2];
    size = hasZero ? 1 : 0;
    for (long k : old) {
      if (k != 0) {
        add(k);
      }
    }
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}

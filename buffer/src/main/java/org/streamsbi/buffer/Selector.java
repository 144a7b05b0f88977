package org.streamsbi.buffer;

import java.util.random.RandomGenerator;

/**
 * Chooses the slot a draw returns, for the selectors that keep state. Told of every slot filled
 * and emptied; called under the buffer's write lock. UNIFORM and RESERVOIR need none: their
 * draws pick a slot below the held count and take no lock.
 */
interface Selector {
  void inserted(int slot);

  void removed(int slot);

  /** @return a slot, or -1 when nothing can be drawn now */
  int select(RandomGenerator rng);

  /** The trainer's loss on the sample in this slot; only the prioritized selector uses it. */
  default void reportLoss(int slot, float loss) {}

  static Selector of(SelectorType type, int capacity) {
    return switch (type) {
      case FIFO -> new Fifo(capacity);
      case FIRO -> new Firo(capacity);
      case PRIORITIZED -> new Prioritized(capacity);
      case UNIFORM, RESERVOIR -> null;
    };
  }

  /** Slots in insertion order. */
  final class Fifo implements Selector {
    private final int[] queue;
    private int head;
    private int size;

    Fifo(int capacity) {
      queue = new int[capacity];
    }

    @Override
    public void inserted(int slot) {
      queue[(head + size++) % queue.length] = slot;
    }

    @Override
    public void removed(int slot) {
      throw new IllegalStateException("a FIFO buffer never evicts: inserts wait for room");
    }

    @Override
    public int select(RandomGenerator rng) {
      if (size == 0) {
        return -1;
      }
      int slot = queue[head];
      head = (head + 1) % queue.length;
      size--;
      return slot;
    }
  }

  /** A pool of slots, each drawn once in random order. */
  final class Firo implements Selector {
    private final int[] pool;
    private int size;

    Firo(int capacity) {
      pool = new int[capacity];
    }

    @Override
    public void inserted(int slot) {
      pool[size++] = slot;
    }

    @Override
    public void removed(int slot) {
      throw new IllegalStateException("a FIRO buffer never evicts: inserts wait for room");
    }

    @Override
    public int select(RandomGenerator rng) {
      if (size == 0) {
        return -1;
      }
      int i = rng.nextInt(size);
      int slot = pool[i];
      pool[i] = pool[--size];
      return slot;
    }
  }

  /** A sum tree over slot priorities: a draw and an update each cost O(log capacity). */
  final class Prioritized implements Selector {
    private static final double EPSILON = 1e-3;
    private final int leaves;
    private final double[] tree;
    private double highest = 1;

    Prioritized(int capacity) {
      int n = 1;
      while (n < capacity) {
        n <<= 1;
      }
      leaves = n;
      tree = new double[2 * n];
    }

    @Override
    public void inserted(int slot) {
      set(slot, highest);
    }

    @Override
    public void removed(int slot) {
      set(slot, 0);
    }

    @Override
    public void reportLoss(int slot, float loss) {
      // −log q can be negative and priorities must be positive: softplus keeps the order, stays
      // positive, and grows like the loss itself where the model fits badly.
      double priority = (loss > 30 ? loss : Math.log1p(Math.exp(loss))) + EPSILON;
      highest = Math.max(highest, priority);
      set(slot, priority);
    }

    double priority(int slot) {
      return tree[leaves + slot];
    }

    @Override
    public int select(RandomGenerator rng) {
      if (tree[1] <= 0) {
        return -1;
      }
      double u = rng.nextDouble() * tree[1];
      int node = 1;
      while (node < leaves) {
        int left = 2 * node;
        if (u < tree[left] || tree[left + 1] <= 0) {
          node = left;
        } else {
          u -= tree[left];
          node = left + 1;
        }
      }
      return node - leaves;
    }

    private void set(int slot, double priority) {
      int node = leaves + slot;
      tree[node] = priority;
      for (node >>= 1; node >= 1; node >>= 1) {
        tree[node] = tree[2 * node] + tree[2 * node + 1];
      }
    }
  }
}

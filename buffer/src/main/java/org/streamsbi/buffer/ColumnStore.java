package org.streamsbi.buffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;

/**
 * Fixed slots of samples in Arrow off-heap columns, allocated once at full capacity so that a
 * reader copying rows never meets a reallocated buffer. Not thread-safe: the buffer guards
 * writes, and readers validate what they copied.
 */
final class ColumnStore implements AutoCloseable {
  static final long FREE = -1;

  final int capacity;
  final int thetaDimension;
  final int xDimension;
  private final Float4Vector theta;
  private final Float4Vector x;
  private final IntVector round;
  private final IntVector seen;
  private final BigIntVector sequence;
  private final BigIntVector sampleKey;
  private final BigIntVector proposalKey;
  private final ArrowBuf thetaData;
  private final ArrowBuf xData;
  private final ArrowBuf roundData;
  private final ArrowBuf seenData;
  private final ArrowBuf sequenceData;
  private final ArrowBuf sampleKeyData;
  private final ArrowBuf proposalKeyData;

  ColumnStore(BufferAllocator allocator, String name, int capacity, int thetaDimension, int xDimension) {
    this.capacity = capacity;
    this.thetaDimension = thetaDimension;
    this.xDimension = xDimension;
    theta = new Float4Vector(name + ".theta", allocator);
    x = new Float4Vector(name + ".x", allocator);
    round = new IntVector(name + ".round", allocator);
    seen = new IntVector(name + ".seen", allocator);
    sequence = new BigIntVector(name + ".sequence", allocator);
    sampleKey = new BigIntVector(name + ".sampleKey", allocator);
    proposalKey = new BigIntVector(name + ".proposalKey", allocator);
    theta.allocateNew(capacity * thetaDimension);
    x.allocateNew(capacity * xDimension);
    round.allocateNew(capacity);
    seen.allocateNew(capacity);
    sequence.allocateNew(capacity);
    sampleKey.allocateNew(capacity);
    proposalKey.allocateNew(capacity);
    thetaData = theta.getDataBuffer();
    xData = x.getDataBuffer();
    roundData = round.getDataBuffer();
    seenData = seen.getDataBuffer();
    sequenceData = sequence.getDataBuffer();
    sampleKeyData = sampleKey.getDataBuffer();
    proposalKeyData = proposalKey.getDataBuffer();
    // Every slot is a value from the start (a free one is marked by its sequence), so validity is
    // set once here and the hot path writes the data buffers only.
    for (var vector : List.of(theta, x, round, seen, sequence, sampleKey, proposalKey)) {
      vector.getValidityBuffer().setOne(0, vector.getValidityBuffer().capacity());
      vector.setValueCount(vector.getValueCapacity());
    }
    for (int slot = 0; slot < capacity; slot++) {
      free(slot);
    }
  }

  void write(int slot, long seq, int sampleRound, long sample, long proposal, float[] rowTheta, float[] rowX, int timesSeen) {
    long t = (long) slot * thetaDimension * Float.BYTES;
    for (int j = 0; j < thetaDimension; j++) {
      thetaData.setFloat(t + (long) j * Float.BYTES, rowTheta[j]);
    }
    long xs = (long) slot * xDimension * Float.BYTES;
    for (int j = 0; j < xDimension; j++) {
      xData.setFloat(xs + (long) j * Float.BYTES, rowX[j]);
    }
    roundData.setInt((long) slot * Integer.BYTES, sampleRound);
    seenData.setInt((long) slot * Integer.BYTES, timesSeen);
    sampleKeyData.setLong((long) slot * Long.BYTES, sample);
    proposalKeyData.setLong((long) slot * Long.BYTES, proposal);
    sequenceData.setLong((long) slot * Long.BYTES, seq);
  }

  void free(int slot) {
    sequenceData.setLong((long) slot * Long.BYTES, FREE);
  }

  void copyRow(int slot, float[] thetaOut, float[] xOut, int row) {
    long t = (long) slot * thetaDimension * Float.BYTES;
    for (int j = 0; j < thetaDimension; j++) {
      thetaOut[row * thetaDimension + j] = thetaData.getFloat(t + (long) j * Float.BYTES);
    }
    long xs = (long) slot * xDimension * Float.BYTES;
    for (int j = 0; j < xDimension; j++) {
      xOut[row * xDimension + j] = xData.getFloat(xs + (long) j * Float.BYTES);
    }
  }

  float theta(int slot, int j) {
    return thetaData.getFloat(((long) slot * thetaDimension + j) * Float.BYTES);
  }

  float x(int slot, int j) {
    return xData.getFloat(((long) slot * xDimension + j) * Float.BYTES);
  }

  long sequence(int slot) {
    return sequenceData.getLong((long) slot * Long.BYTES);
  }

  int seen(int slot) {
    return seenData.getInt((long) slot * Integer.BYTES);
  }

  void addSeen(int slot) {
    long at = (long) slot * Integer.BYTES;
    seenData.setInt(at, seenData.getInt(at) + 1);
  }

  int round(int slot) {
    return roundData.getInt((long) slot * Integer.BYTES);
  }

  long sampleKey(int slot) {
    return sampleKeyData.getLong((long) slot * Long.BYTES);
  }

  long proposalKey(int slot) {
    return proposalKeyData.getLong((long) slot * Long.BYTES);
  }

  long key(int slot) {
    return sequence(slot) << ReplayBufferConfig.SLOT_BITS | slot;
  }

  /** Writes the rows in {@code slots}, for a snapshot. */
  void writeRows(DataOutputStream out, int[] slots) throws IOException {
    out.writeInt(slots.length);
    for (int slot : slots) {
      out.writeLong(sequence(slot));
      out.writeInt(round(slot));
      out.writeInt(seen(slot));
      out.writeLong(sampleKey(slot));
      out.writeLong(proposalKey(slot));
      for (int j = 0; j < thetaDimension; j++) {
        out.writeFloat(theta(slot, j));
      }
      for (int j = 0; j < xDimension; j++) {
        out.writeFloat(x(slot, j));
      }
    }
  }

  /** Reads one row written by {@link #writeRows} into {@code slot}. */
  void readRow(DataInputStream in, int slot) throws IOException {
    long seq = in.readLong();
    int sampleRound = in.readInt();
    int timesSeen = in.readInt();
    long sample = in.readLong();
    long proposal = in.readLong();
    float[] rowTheta = new float[thetaDimension];
    float[] rowX = new float[xDimension];
    for (int j = 0; j < rowTheta.length; j++) {
      rowTheta[j] = in.readFloat();
    }
    for (int j = 0; j < rowX.length; j++) {
      rowX[j] = in.readFloat();
    }
    write(slot, seq, sampleRound, sample, proposal, rowTheta, rowX, timesSeen);
  }

  @Override
  public void close() {
    theta.close();
    x.close();
    round.close();
    seen.close();
    sequence.close();
    sampleKey.close();
    proposalKey.close();
  }
}

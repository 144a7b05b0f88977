package org.streamsbi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.InvalidArrowFileException;
import org.streamsbi.core.CsvMatrix;
import org.streamsbi.core.Sample;

/**
 * Simulations a user already has, as rows of θ and x: two CSV files in sbibm's layout (θ with the
 * header parameter_1,..., x with data_1,..., row i of one belonging to row i of the other), or
 * one Arrow IPC file (or stream) holding θ and x either as float columns named parameter_1, ...
 * and data_1, ..., or as two fixed-size list columns theta and x as on the samples topic.
 * Widths and row counts are checked against the prior's and the simulator's; a row holding NaN
 * or ±∞ is kept, for the replay buffer to count and set aside as a run's.
 */
final class SampleFiles {
  /** Names the runs' samples would carry; the validation split is a hash of the sample id. */
  private static final String RUN = "files";

  private SampleFiles() {}

  /**
   * @throws IllegalArgumentException naming the file and line of a short, long or non-numeric row,
   *     a width that is not the prior's or the simulator's, or row counts that differ
   */
  static List<Sample> csv(Path thetaFile, Path xFile, int thetaDimension, int xDimension) {
    float[][] theta = csvRows("--theta", thetaFile, thetaDimension, "parameters, as the prior");
    float[][] x = csvRows("--x", xFile, xDimension, "values, as the simulator's x");
    if (theta.length != x.length) {
      throw new IllegalArgumentException(
          "--theta " + thetaFile + " has " + theta.length + " rows but --x " + xFile + " has " + x.length
              + ": row i of one must be the simulation of row i of the other");
    }
    return samples(theta, x);
  }

  private static float[][] csvRows(String option, Path file, int width, String what) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(option + ": no such file " + file);
    }
    float[][] rows;
    try {
      rows = CsvMatrix.read(file);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
    if (rows.length > 0 && rows[0].length != width) {
      throw new IllegalArgumentException(
          option + ": " + file + " line 2 has " + rows[0].length + " values; expected " + width + " " + what);
    }
    return rows;
  }

  /**
   * @throws IllegalArgumentException naming the file when it is not Arrow IPC, lacks a column, or
   *     a column's width is not the prior's or the simulator's
   */
  static List<Sample> arrow(Path file, int thetaDimension, int xDimension) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--arrow: no such file " + file);
    }
    List<float[]> theta = new ArrayList<>();
    List<float[]> x = new ArrayList<>();
    try (BufferAllocator allocator = new RootAllocator()) {
      try (SeekableByteChannel channel = Files.newByteChannel(file);
          ArrowReader reader = new ArrowFileReader(channel, allocator)) {
        readAll(reader, file, thetaDimension, xDimension, theta, x);
      } catch (InvalidArrowFileException notAFile) {
        try (InputStream in = Files.newInputStream(file);
            ArrowReader reader = new ArrowStreamReader(in, allocator)) {
          readAll(reader, file, thetaDimension, xDimension, theta, x);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("--arrow: " + file + " is not a readable Arrow IPC file or stream: " + e.getMessage(), e);
    }
    return samples(theta.toArray(new float[0][]), x.toArray(new float[0][]));
  }

  private static void readAll(ArrowReader reader, Path file, int thetaDimension, int xDimension,
      List<float[]> theta, List<float[]> x) throws IOException {
    VectorSchemaRoot root = reader.getVectorSchemaRoot();
    while (reader.loadNextBatch()) {
      Column thetaColumn = Column.of(root, file, "theta", "parameter", thetaDimension);
      Column xColumn = Column.of(root, file, "x", "data", xDimension);
      for (int row = 0; row < root.getRowCount(); row++) {
        theta.add(thetaColumn.row(row));
        x.add(xColumn.row(row));
      }
    }
  }

  /** θ or x of a batch: one fixed-size list column, or one float column per value. */
  private record Column(FixedSizeListVector list, FloatingPointVector[] values) {
    static Column of(VectorSchemaRoot root, Path file, String listName, String prefix, int width) {
      FieldVector list = root.getVector(listName);
      if (list != null) {
        if (!(list instanceof FixedSizeListVector fixed) || !(fixed.getDataVector() instanceof FloatingPointVector)) {
          throw new IllegalArgumentException("--arrow: " + file + ": column '" + listName
              + "' must be a fixed-size list of floats, got " + list.getField().getType());
        }
        if (fixed.getListSize() != width) {
          throw new IllegalArgumentException("--arrow: " + file + ": column '" + listName + "' holds "
              + fixed.getListSize() + " values per row; expected " + width);
        }
        return new Column(fixed, null);
      }
      FloatingPointVector[] values = new FloatingPointVector[width];
      for (int j = 0; j < width; j++) {
        String name = prefix + "_" + (j + 1);
        FieldVector v = root.getVector(name);
        if (v == null) {
          throw new IllegalArgumentException("--arrow: " + file + " has no column '" + listName + "' and no column '"
              + name + "': expected θ and x as columns theta and x (fixed-size lists) or parameter_1..parameter_"
              + "N and data_1..data_M (floats)");
        }
        if (!(v instanceof FloatingPointVector floats)) {
          throw new IllegalArgumentException("--arrow: " + file + ": column '" + name + "' must hold floats, got "
              + v.getField().getType());
        }
        values[j] = floats;
      }
      if (root.getVector(prefix + "_" + (width + 1)) != null) {
        throw new IllegalArgumentException("--arrow: " + file + " has a column '" + prefix + "_" + (width + 1)
            + "'; expected " + width + " columns " + prefix + "_K");
      }
      return new Column(null, values);
    }

    /** A null value reads as NaN, to be set aside with the row. */
    float[] row(int row) {
      float[] out = new float[list != null ? list.getListSize() : values.length];
      for (int j = 0; j < out.length; j++) {
        FloatingPointVector v = list != null ? (FloatingPointVector) list.getDataVector() : values[j];
        int index = list != null ? row * out.length + j : row;
        boolean missing = list != null ? list.isNull(row) || ((FieldVector) v).isNull(index) : ((FieldVector) v).isNull(index);
        out[j] = missing ? Float.NaN : (float) v.getValueAsDouble(index);
      }
      return out;
    }
  }

  /** Row i becomes sample row-(i+1), numbered as the data lines of a CSV file are counted. */
  private static List<Sample> samples(float[][] theta, float[][] x) {
    List<Sample> out = new ArrayList<>(theta.length);
    for (int i = 0; i < theta.length; i++) {
      String id = "row-" + (i + 1);
      out.add(new Sample(id, RUN, 1, id, 0, theta[i], x[i], RUN, 0));
    }
    return out;
  }
}

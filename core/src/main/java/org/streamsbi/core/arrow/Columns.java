package org.streamsbi.core.arrow;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Typed, validated access to the columns of an Arrow IPC stream: the shared machinery of the
 * sample and proposal codecs.
 */
final class Columns {
  private static final BufferAllocator ROOT = new RootAllocator();
  private static final ArrowType FLOAT32 = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);

  /**
   * The root's vectors by name, looked up once: {@link VectorSchemaRoot#getVector(String)} scans
   * every field, which at nine cells a sample cost more than writing them.
   */
  private final Map<String, FieldVector> vectors = new HashMap<>();

  private Columns(VectorSchemaRoot root) {
    root.getFieldVectors().forEach(v -> vectors.putIfAbsent(v.getName(), v));
  }

  static Field utf8(String name) {
    return new Field(name, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null);
  }

  static Field int32(String name) {
    return new Field(name, FieldType.notNullable(new ArrowType.Int(32, true)), null);
  }

  static Field int64(String name) {
    return new Field(name, FieldType.notNullable(new ArrowType.Int(64, true)), null);
  }

  static Field float64(String name) {
    return new Field(
        name,
        FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
        null);
  }

  /** A fixed-size list of float32: one θ or x vector per row. */
  static Field floats(String name, int width) {
    Field values = new Field("values", FieldType.notNullable(FLOAT32), null);
    return new Field(
        name, FieldType.notNullable(new ArrowType.FixedSizeList(width)), List.of(values));
  }

  /** Writes {@code rows} rows as one record batch of an IPC stream. */
  static byte[] write(Schema schema, int rows, BiConsumer<Columns, Integer> fillRow) {
    try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, ROOT)) {
      root.allocateNew();
      Columns columns = new Columns(root);
      for (int row = 0; row < rows; row++) {
        fillRow.accept(columns, row);
      }
      root.setRowCount(rows);
      ByteArrayOutputStream out = new ByteArrayOutputStream(64 + rows * 64);
      try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * Reads every row of every record batch in an IPC stream after checking that its columns are
   * the expected ones.
   */
  static <T> List<T> read(byte[] bytes, Schema expected, BiFunction<Columns, Integer, T> readRow) {
    List<T> out = new ArrayList<>();
    try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(bytes), ROOT)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      check(expected, root.getSchema());
      Columns columns = new Columns(root);
      while (reader.loadNextBatch()) {
        for (int row = 0; row < root.getRowCount(); row++) {
          out.add(readRow.apply(columns, row));
        }
      }
      return out;
    } catch (MalformedBatchException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new MalformedBatchException("not a readable Arrow IPC stream: " + e.getMessage(), e);
    }
  }

  private static void check(Schema expected, Schema actual) {
    for (Field want : expected.getFields()) {
      Field got;
      try {
        got = actual.findField(want.getName());
      } catch (IllegalArgumentException e) {
        throw new MalformedBatchException("missing column '" + want.getName() + "'");
      }
      if (!got.getType().equals(want.getType())) {
        throw new MalformedBatchException(
            "column '" + want.getName() + "' has type " + describe(got) + ", expected "
                + describe(want));
      }
      if (!want.getChildren().isEmpty()
          && (got.getChildren().size() != 1
              || !got.getChildren().get(0).getType().equals(FLOAT32))) {
        throw new MalformedBatchException(
            "column '" + want.getName() + "' must hold float32 values, got " + got.getChildren());
      }
    }
  }

  private static String describe(Field field) {
    if (field.getType() instanceof ArrowType.FixedSizeList list) {
      return "a fixed-size list of " + list.getListSize() + " values per row";
    }
    return field.getType().toString();
  }

  private <V extends FieldVector> V vector(String name, Class<V> type) {
    return type.cast(vectors.get(name));
  }

  private void requireValue(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      throw new MalformedBatchException(
          "column '" + vector.getName() + "' is null at row " + row);
    }
  }

  void setString(String name, int row, String value) {
    vector(name, VarCharVector.class).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
  }

  void setInt(String name, int row, int value) {
    vector(name, IntVector.class).setSafe(row, value);
  }

  void setLong(String name, int row, long value) {
    vector(name, BigIntVector.class).setSafe(row, value);
  }

  void setDouble(String name, int row, double value) {
    vector(name, Float8Vector.class).setSafe(row, value);
  }

  void setFloats(String name, int row, float[] values) {
    FixedSizeListVector list = vector(name, FixedSizeListVector.class);
    int width = list.getListSize();
    if (values.length != width) {
      throw new IllegalArgumentException(
          name + " has " + values.length + " values, the batch schema expects " + width);
    }
    Float4Vector data = (Float4Vector) list.getDataVector();
    int start = list.startNewValue(row);
    for (int j = 0; j < width; j++) {
      data.setSafe(start + j, values[j]);
    }
  }

  String getString(String name, int row) {
    VarCharVector v = vector(name, VarCharVector.class);
    requireValue(v, row);
    return new String(v.get(row), StandardCharsets.UTF_8);
  }

  int getInt(String name, int row) {
    IntVector v = vector(name, IntVector.class);
    requireValue(v, row);
    return v.get(row);
  }

  long getLong(String name, int row) {
    BigIntVector v = vector(name, BigIntVector.class);
    requireValue(v, row);
    return v.get(row);
  }

  double getDouble(String name, int row) {
    Float8Vector v = vector(name, Float8Vector.class);
    requireValue(v, row);
    return v.get(row);
  }

  float[] getFloats(String name, int row) {
    FixedSizeListVector list = vector(name, FixedSizeListVector.class);
    requireValue(list, row);
    Float4Vector data = (Float4Vector) list.getDataVector();
    int width = list.getListSize();
    float[] out = new float[width];
    for (int j = 0; j < width; j++) {
      int index = row * width + j;
      if (data.isNull(index)) {
        throw new MalformedBatchException(
            "column '" + name + "' has a null value at row " + row + ", element " + j);
      }
      out[j] = data.get(index);
    }
    return out;
  }
}

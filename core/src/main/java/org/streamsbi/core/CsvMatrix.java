package org.streamsbi.core;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Numeric tables in sbibm's CSV layout: one header line ({@code parameter_1,parameter_2,...} or
 * {@code data_1,...}), then one row of numbers per line.
 */
public final class CsvMatrix {
  private CsvMatrix() {}

  public static float[][] read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * @param source named in error messages
   * @throws IllegalArgumentException naming the line when a row is short, long or not numeric
   */
  public static float[][] read(InputStream in, String source) {
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String header = reader.readLine();
      if (header == null) {
        throw new IllegalArgumentException(source + " is empty: expected a header line");
      }
      int width = header.split(",", -1).length;
      String line;
      int number = 1;
      while ((line = reader.readLine()) != null) {
        number++;
        if (line.isBlank()) {
          continue;
        }
        String[] cells = line.split(",", -1);
        if (cells.length != width) {
          throw new IllegalArgumentException(
              source + " line " + number + " has " + cells.length + " values, the header has "
                  + width);
        }
        float[] row = new float[width];
        for (int j = 0; j < width; j++) {
          try {
            row[j] = Float.parseFloat(cells[j].trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                source + " line " + number + " column " + (j + 1) + ": '" + cells[j]
                    + "' is not a number");
          }
        }
        rows.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
    return rows.toArray(new float[0][]);
  }

  /** Writes rows under the header {@code <prefix>_1,...,<prefix>_d}. */
  public static void write(Path file, String prefix, float[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int j = 0; j < width; j++) {
        out.write((j == 0 ? "" : ",") + prefix + "_" + (j + 1));
      }
      out.write('\n');
      StringBuilder line = new StringBuilder();
      for (float[] row : rows) {
        line.setLength(0);
        for (int j = 0; j < row.length; j++) {
          if (j > 0) {
            line.append(',');
          }
          line.append(row[j]);
        }
        out.write(line.append('\n').toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}

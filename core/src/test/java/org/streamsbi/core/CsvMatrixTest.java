package org.streamsbi.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvMatrixTest {

  @Test
  void writesAndReadsBack(@TempDir Path dir) {
    float[][] rows = {{1.5f, -2e-7f}, {Float.MAX_VALUE, 0.1f}};
    Path file = dir.resolve("m.csv");
    CsvMatrix.write(file, "parameter", rows);
    assertArrayEquals(rows, CsvMatrix.read(file));
  }

  @Test
  void namesTheBadLine() {
    String text = "data_1,data_2\n1,2\n3,abc\n";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CsvMatrix.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "obs.csv"));
    assertTrue(e.getMessage().contains("obs.csv line 3 column 2"), e.getMessage());
  }
}

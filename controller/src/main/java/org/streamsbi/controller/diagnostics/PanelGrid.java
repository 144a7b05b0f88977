package org.streamsbi.controller.diagnostics;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Small XChart panels laid out on a grid and written as one PNG: XChart draws single charts, the
 * pair plot and the per-dimension histograms need many side by side.
 */
final class PanelGrid {
  static final Color POSTERIOR = new Color(0x1f, 0x77, 0xb4);
  static final Color REFERENCE = new Color(0xff, 0x7f, 0x0e);
  static final Color GUIDE = new Color(0x55, 0x55, 0x55);

  private PanelGrid() {}

  /** An empty XY panel with small fonts and no legend, for a grid. */
  static XYChart panel(int size, String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder().width(size).height(size).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    Styler styler = chart.getStyler();
    styler.setLegendVisible(false);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setChartTitleBoxVisible(false);
    styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
    chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 8));
    chart.getStyler().setChartPadding(4);
    chart.getStyler().setXAxisDecimalPattern("0.##");
    chart.getStyler().setXAxisTickMarkSpacingHint(size / 3);
    chart.getStyler().setYAxisDecimalPattern("0.##");
    return chart;
  }

  /** Writes the panels (null leaves a cell blank) row by row into one PNG. */
  static void write(XYChart[][] panels, int size, Path file) throws IOException {
    write(panels, size, Map.of(), file);
  }

  /**
   * As {@link #write(XYChart[][], int, Path)}, with a legend of the series' colours in the top
   * right corner, which a lower-triangular grid leaves blank.
   */
  static void write(XYChart[][] panels, int size, Map<String, Color> legend, Path file) throws IOException {
    int rows = panels.length;
    int columns = panels[0].length;
    BufferedImage image = new BufferedImage(columns * size, rows * size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          if (panels[r][c] != null) {
            g.drawImage(BitmapEncoder.getBufferedImage(panels[r][c]), c * size, r * size, null);
          }
        }
      }
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 16));
      int y = 30;
      for (Map.Entry<String, Color> entry : legend.entrySet()) {
        int x = image.getWidth() - 160;
        g.setColor(entry.getValue());
        g.fillRect(x, y - 12, 14, 14);
        g.setColor(Color.DARK_GRAY);
        g.drawString(entry.getKey(), x + 22, y);
        y += 24;
      }
    } finally {
      g.dispose();
    }
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }
}

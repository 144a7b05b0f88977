package org.streamsbi.controller.diagnostics;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The posterior pair plot, as sbi's {@code pairplot}: a scatter of every pair of dimensions below
 * the diagonal, each dimension's histogram on it, and the reference drawn over both when given.
 */
public final class PairPlot {
  /** Points per scatter panel: more only blot the panel and slow the drawing. */
  static final int MAX_POINTS = 2_000;

  static final int BINS = 30;
  static final int PANEL = 220;

  private PairPlot() {}

  /**
   * @param posterior draws of q(θ | x_o)
   * @param reference reference posterior draws of the same width, or null
   */
  public static void write(float[][] posterior, float[][] reference, Path file) throws IOException {
    int d = posterior[0].length;
    if (reference != null && reference[0].length != d) {
      throw new IllegalArgumentException(
          "the reference has " + reference[0].length + " columns, the posterior draws " + d);
    }
    double[] min = new double[d];
    double[] max = new double[d];
    for (int j = 0; j < d; j++) {
      min[j] = Double.POSITIVE_INFINITY;
      max[j] = Double.NEGATIVE_INFINITY;
      for (float[][] set : reference == null ? new float[][][] {posterior} : new float[][][] {posterior, reference}) {
        for (float[] row : set) {
          min[j] = Math.min(min[j], row[j]);
          max[j] = Math.max(max[j], row[j]);
        }
      }
      if (max[j] <= min[j]) {
        max[j] = min[j] + 1;
      }
    }
    XYChart[][] panels = new XYChart[d][d];
    for (int r = 0; r < d; r++) {
      for (int c = 0; c <= r; c++) {
        XYChart chart = PanelGrid.panel(PANEL, "", r == d - 1 ? "θ" + (c + 1) : "", c == 0 ? (r == c ? "density" : "θ" + (r + 1)) : "");
        chart.getStyler().setXAxisMin(min[c]).setXAxisMax(max[c]);
        if (r == c) {
          histogram(chart, "posterior", posterior, c, min[c], max[c], PanelGrid.POSTERIOR, true);
          if (reference != null) {
            histogram(chart, "reference", reference, c, min[c], max[c], PanelGrid.REFERENCE, false);
          }
        } else {
          chart.getStyler().setYAxisMin(min[r]).setYAxisMax(max[r]);
          scatter(chart, "posterior", posterior, c, r, PanelGrid.POSTERIOR);
          if (reference != null) {
            scatter(chart, "reference", reference, c, r, PanelGrid.REFERENCE);
          }
        }
        panels[r][c] = chart;
      }
    }
    Map<String, Color> legend = new LinkedHashMap<>();
    legend.put("posterior", PanelGrid.POSTERIOR);
    if (reference != null) {
      legend.put("reference", PanelGrid.REFERENCE);
    }
    PanelGrid.write(panels, PANEL, legend, file);
  }

  private static void scatter(XYChart chart, String name, float[][] rows, int xColumn, int yColumn, Color color) {
    int n = Math.min(MAX_POINTS, rows.length);
    double[] xs = new double[n];
    double[] ys = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = rows[i][xColumn];
      ys[i] = rows[i][yColumn];
    }
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    series.setMarker(SeriesMarkers.CIRCLE);
    series.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 70));
    chart.getStyler().setMarkerSize(3);
  }

  /** A density histogram as a step curve, so two of them stay readable on one panel. */
  private static void histogram(
      XYChart chart, String name, float[][] rows, int column, double min, double max, Color color, boolean filled) {
    double width = (max - min) / BINS;
    double[] density = new double[BINS];
    for (float[] row : rows) {
      int bin = (int) Math.min(BINS - 1, Math.max(0, (row[column] - min) / width));
      density[bin] += 1.0 / (rows.length * width);
    }
    double[] xs = new double[BINS + 1];
    double[] ys = Arrays.copyOf(density, BINS + 1);
    ys[BINS] = density[BINS - 1];
    for (int b = 0; b <= BINS; b++) {
      xs[b] = min + b * width;
    }
    XYSeries series = chart.addSeries(name, xs, ys);
    series.setXYSeriesRenderStyle(filled ? XYSeries.XYSeriesRenderStyle.StepArea : XYSeries.XYSeriesRenderStyle.Step);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 110));
  }
}

package org.streamsbi.controller.diagnostics;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.commons.statistics.distribution.BinomialDistribution;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * SBC rank histograms, one panel per dimension, with the band a uniform histogram stays in 99% of
 * the time per bin: bars outside it in a ∪ or ∩ shape point at an over- or underconfident posterior.
 */
public final class RankHistogramPlot {
  static final int PANEL = 260;
  static final int MAX_COLUMNS = 5;

  private RankHistogramPlot() {}

  public static void write(SimulationBasedCalibration.Result sbc, Path file) throws IOException {
    int d = sbc.pValues().length;
    int columns = Math.min(MAX_COLUMNS, d);
    int rows = (d + columns - 1) / columns;
    XYChart[][] panels = new XYChart[rows][columns];
    int bins = sbc.bins();
    double[] shares = sbc.binShares();
    int runs = sbc.ranks().length;
    for (int j = 0; j < d; j++) {
      XYChart chart =
          PanelGrid.panel(PANEL, String.format("θ%d  (p = %.3f)", j + 1, sbc.pValues()[j]), "rank", j % columns == 0 ? "runs" : "");
      long[] counts = sbc.histogram(j);
      double[] edges = new double[bins + 1];
      double[] heights = new double[bins + 1];
      double[] low = new double[bins + 1];
      double[] high = new double[bins + 1];
      for (int b = 0; b <= bins; b++) {
        int bin = Math.min(b, bins - 1);
        edges[b] = (double) b * (sbc.posteriorDraws() + 1) / bins;
        heights[b] = counts[bin];
        BinomialDistribution uniform = BinomialDistribution.of(runs, shares[bin]);
        low[b] = uniform.inverseCumulativeProbability(0.005);
        high[b] = uniform.inverseCumulativeProbability(0.995);
      }
      chart.getStyler().setXAxisDecimalPattern("#");
      chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) sbc.posteriorDraws() + 1).setYAxisMin(0.0);
      XYSeries bars = chart.addSeries("ranks", edges, heights);
      bars.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea);
      bars.setMarker(SeriesMarkers.NONE);
      bars.setLineColor(PanelGrid.POSTERIOR);
      bars.setFillColor(PanelGrid.POSTERIOR);
      for (double[] bound : new double[][] {low, high}) {
        XYSeries line = chart.addSeries(bound == low ? "0.5%" : "99.5%", edges, bound);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineColor(PanelGrid.GUIDE);
        line.setLineStyle(SeriesLines.DASH_DASH);
      }
      panels[j / columns][j % columns] = chart;
    }
    PanelGrid.write(panels, PANEL, file);
  }
}

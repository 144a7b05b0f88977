package org.streamsbi.core.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.streamsbi.core.Proposal;
import org.streamsbi.core.Sample;

class SampleCodecTest {

  private static List<Sample> randomSamples(int n, int thetaDim, int xDim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] theta = new float[thetaDim];
      float[] x = new float[xDim];
      for (int j = 0; j < thetaDim; j++) {
        theta[j] = (float) rng.nextGaussian();
      }
      for (int j = 0; j < xDim; j++) {
        x[j] = (float) rng.nextGaussian();
      }
      out.add(new Sample("s-" + i, "run-ü", 1 + i % 3, "p-" + i, rng.nextLong(), theta, x, "worker-" + (i % 2), rng.nextDouble()));
    }
    return out;
  }

  @Test
  void samplesSurviveTheRoundTrip() {
    List<Sample> samples = randomSamples(257, 5, 8, 7);
    SampleCodec codec = new SampleCodec(5, 8);
    assertEquals(samples, codec.decode(codec.encode(samples)));
  }

  @Test
  void nonFiniteValuesAreCarriedFaithfully() {
    Sample nan = new Sample("a", "r", 1, "a", 3, new float[] {Float.NaN, 1}, new float[] {Float.POSITIVE_INFINITY, 0}, "w", 0);
    SampleCodec codec = new SampleCodec(2, 2);
    Sample back = codec.decode(codec.encode(List.of(nan))).get(0);
    assertTrue(Float.isNaN(back.theta()[0]));
    assertEquals(Float.POSITIVE_INFINITY, back.x()[0]);
  }

  @Test
  void emptyBatchRoundTrips() {
    SampleCodec codec = new SampleCodec(2, 2);
    assertEquals(List.of(), codec.decode(codec.encode(List.of())));
  }

  @Test
  void garbageIsRejectedWithATypedError() {
    SampleCodec codec = new SampleCodec(2, 2);
    MalformedBatchException e =
        assertThrows(MalformedBatchException.class, () -> codec.decode("not a batch".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("Arrow"), e.getMessage());
  }

  @Test
  void jsonFormDecodesWithDefaults() {
    String json =
        "[{\"sample_id\":\"s1\",\"run_id\":\"r\",\"round\":2,\"proposal_id\":\"p1\",\"seed\":-7,"
            + "\"theta\":[1.5,2],\"x\":[3,NaN],\"worker\":\"kcat\",\"simulation_seconds\":0.25},"
            + " {\"run_id\":\"r\",\"proposal_id\":\"p2\",\"seed\":9,\"theta\":[0,0],\"x\":[1,1]}]";
    List<Sample> samples = new SampleCodec(2, 2).decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(new Sample("s1", "r", 2, "p1", -7, new float[] {1.5f, 2}, new float[] {3, Float.NaN}, "kcat", 0.25), samples.get(0));
    assertEquals(new Sample("p2", "r", 1, "p2", 9, new float[] {0, 0}, new float[] {1, 1}, "external", 0), samples.get(1));
  }

  @Test
  void jsonFormNamesTheMissingOrWrongField() {
    SampleCodec codec = new SampleCodec(2, 2);
    MalformedBatchException missing =
        assertThrows(MalformedBatchException.class, () -> codec.decode("{\"theta\": [1, 2]}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(missing.getMessage().contains("missing field 'proposal_id'"), missing.getMessage());
    MalformedBatchException wide =
        assertThrows(MalformedBatchException.class, () -> codec.decode(
            "{\"run_id\":\"r\",\"proposal_id\":\"p\",\"seed\":1,\"theta\":[1,2,3],\"x\":[1,2]}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(wide.getMessage().contains("'theta' holds 3 values"), wide.getMessage());
    assertThrows(MalformedBatchException.class, () -> codec.decode("{\"run_id\": ".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void truncatedBatchIsRejected() {
    SampleCodec codec = new SampleCodec(2, 2);
    byte[] bytes = codec.encode(randomSamples(10, 2, 2, 1));
    byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
    assertThrows(MalformedBatchException.class, () -> codec.decode(cut));
  }

  @Test
  void wrongThetaWidthIsNamed() {
    byte[] bytes = new SampleCodec(3, 2).encode(randomSamples(4, 3, 2, 2));
    MalformedBatchException e =
        assertThrows(MalformedBatchException.class, () -> new SampleCodec(2, 2).decode(bytes));
    assertTrue(e.getMessage().contains("'theta'") && e.getMessage().contains("3 values"), e.getMessage());
  }

  @Test
  void missingColumnIsNamed() {
    byte[] proposals = new ProposalCodec(2).encode(List.of(new Proposal("r", 1, "p", 5, new float[] {1, 2})));
    MalformedBatchException e =
        assertThrows(MalformedBatchException.class, () -> new SampleCodec(2, 2).decode(proposals));
    assertTrue(e.getMessage().contains("missing column 'sample_id'"), e.getMessage());
  }

  @Test
  void proposalsRoundTrip() {
    List<Proposal> proposals = List.of(new Proposal("r", 2, "p1", -5, new float[] {1, 2, 3}), new Proposal("r", 2, "p2", 99, new float[] {-1, 0, 1e-30f}));
    ProposalCodec codec = new ProposalCodec(3);
    assertEquals(proposals, codec.decode(codec.encode(proposals)));
  }
}

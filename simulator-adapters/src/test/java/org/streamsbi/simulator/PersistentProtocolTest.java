package org.streamsbi.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streamsbi.core.Proposal;

class PersistentProtocolTest {
  private final PersistentProtocol protocol = new PersistentProtocol(2);

  private List<BatchSimulator.Result> reply(String line, int items) {
    return protocol.reply(line.getBytes(StandardCharsets.UTF_8), "7", items, () -> "the stderr tail");
  }

  private SimulationException broken(String line) {
    SimulationException e = assertThrows(SimulationException.class, () -> reply(line, 2));
    assertEquals(SimulationException.Kind.INVALID_OUTPUT, e.kind());
    assertEquals("the stderr tail", e.stderrTail());
    return e;
  }

  @Test
  void requestIsOneLineOfJsonWithTheIdAndEveryItem() throws Exception {
    byte[] request = protocol.request("7", List.of(
        new Proposal("run", 1, "p-1", 42, new float[] {0.5f, -1.25f}),
        new Proposal("run", 1, "p-2", -9_007_199_254_740_993L, new float[] {1e-7f, 3f})));
    String text = new String(request, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, text);
    JsonNode node = new ObjectMapper().readTree(text);
    assertEquals("7", node.get("id").textValue());
    assertEquals(2, node.get("items").size());
    assertEquals(0.5f, node.get("items").get(0).get("theta").get(0).floatValue());
    assertEquals(-1.25f, node.get("items").get(0).get("theta").get(1).floatValue());
    assertEquals(42, node.get("items").get(0).get("seed").longValue());
    assertEquals(1e-7f, node.get("items").get(1).get("theta").get(0).floatValue());
    assertEquals(-9_007_199_254_740_993L, node.get("items").get(1).get("seed").longValue(), "seeds are exact 64-bit integers");
  }

  @Test
  void replyGivesOneResultPerItemInOrderAndFailsItemsOneByOne() {
    List<BatchSimulator.Result> results = reply(
        "{\"id\": \"7\", \"results\": [{\"x\": [1, 2.5]}, {\"error\": \"diverged\"}, {\"x\": [NaN, 1]},"
            + " {\"x\": [1, 2, 3]}, {\"x\": \"garbage\"}, {\"y\": 1}]}", 6);
    assertArrayEquals(new float[] {1, 2.5f}, results.get(0).x());
    assertNull(results.get(0).failure());
    assertFailure(results.get(1), SimulationException.Kind.FAILED, "simulator reported an error: diverged");
    assertFailure(results.get(2), SimulationException.Kind.INVALID_OUTPUT, "non-finite");
    assertFailure(results.get(3), SimulationException.Kind.INVALID_OUTPUT, "returned 3 values, expected 2");
    assertFailure(results.get(4), SimulationException.Kind.INVALID_OUTPUT, "expected a JSON array of numbers");
    assertFailure(results.get(5), SimulationException.Kind.INVALID_OUTPUT, "needs an array 'x' or an 'error'");
  }

  private static void assertFailure(BatchSimulator.Result result, SimulationException.Kind kind, String message) {
    assertNull(result.x());
    assertEquals(kind, result.failure().kind());
    assertTrue(result.failure().getMessage().contains(message), result.failure().getMessage());
    assertEquals("the stderr tail", result.failure().stderrTail());
  }

  @Test
  void aLineThatIsNotTheAwaitedReplyBreaksTheRequestNamingWhy() {
    assertTrue(broken("loading model...").getMessage().contains("unparsable reply (invalid JSON): 'loading model...'"));
    assertTrue(broken("[1, 2]").getMessage().contains("must be a JSON object"));
    assertTrue(broken("{\"id\": \"6\", \"results\": [{\"x\": [1, 2]}, {\"x\": [1, 2]}]}").getMessage()
        .contains("reply to request \"6\" while request \"7\" awaits its reply"));
    assertTrue(broken("{\"id\": 7, \"results\": [{\"x\": [1, 2]}, {\"x\": [1, 2]}]}").getMessage()
        .contains("while request \"7\""), "the id is a string");
    assertTrue(broken("{\"id\": \"7\", \"results\": [{\"x\": [1, 2]}]}").getMessage()
        .contains("needs an array 'results' of 2 results"));
    assertTrue(broken("{\"id\": \"7\", \"x\": [1, 2]}").getMessage().contains("'results'"));
    assertTrue(broken("{\"id\": \"7\"").getMessage().contains("log to standard error"));
  }
}

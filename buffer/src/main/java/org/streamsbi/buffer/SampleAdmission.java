package org.streamsbi.buffer;

import java.util.Optional;
import org.streamsbi.core.Sample;

/**
 * Decides whether a sample read from the samples topic belongs in the buffer at all, before its
 * values are looked at: a run admits only the answers to proposals it issued. A refused sample
 * goes to the dead-letter topic with the reason given here and counts towards nothing.
 */
@FunctionalInterface
public interface SampleAdmission {
  /** Admits every sample: a buffer fed by something other than a run's own proposals. */
  SampleAdmission ALL = sample -> Optional.empty();

  /** Why {@code sample} is refused, or empty when it is admitted. */
  Optional<String> refusal(Sample sample);
}

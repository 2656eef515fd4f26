package lab.grpclb.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an open loop's report says of its schedule: a rate it did not keep, or calls it sent in bunches. */
class PacingTest {

  @Test
  void anOnTimeScheduleNeedsNoWarning() {
    assertEquals(Optional.empty(), new ExperimentReport.Pacing(500, 499, 0.5, 20, 60).warning("client", 0));
  }

  @Test
  void aLowerRateIsNamedWithTheRateSent() {
    String warning = new ExperimentReport.Pacing(25_000, 24_193, 30, 250, 400).warning("client", 90).orElseThrow();
    assertTrue(warning.startsWith("the client fell behind the asked rate: it sent 24193/s of 25000/s"), warning);
    assertTrue(warning.contains("describe a lower rate than asked"), warning);
  }

  @Test
  void lateCallsAtTheAskedRateAreNamedAsBunchesWithTheGcTime() {
    // CI once saw this: the rate held, but a 200 ms collection made calls leave up to 111 ms late
    String warning = new ExperimentReport.Pacing(500, 500, 0.57, 110.98, 151.04).warning("peer", 200).orElseThrow();
    assertTrue(warning.startsWith("the peer left calls late though it kept the asked rate (it sent 500/s of 500/s)"),
        warning);
    assertTrue(warning.contains("110.98 ms after their slots (p99, max 151.04 ms)") && warning.contains("GC took 200 ms"),
        warning);
    assertTrue(warning.contains("not an even 500/s"), warning);
  }

  @Test
  void aSlowRateIsNamedAsItWasAskedNotRoundedToZero() {
    // a stop 30 s into rate=0.05: one call sent, where 1.5 were due
    String warning = new ExperimentReport.Pacing(0.05, 0.0333, 0, 0, 0).warning("client", 0).orElseThrow();
    assertTrue(warning.startsWith("the client fell behind the asked rate: it sent 0.0333/s of 0.05/s"), warning);
    assertEquals("12.3", ExperimentReport.Pacing.perSecond(12.345));
    assertEquals("250", ExperimentReport.Pacing.perSecond(249.6));
  }
}

package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.config.WarmUp;
import org.junit.jupiter.api.Test;

/**
 * The cold-start section's forecast, on its full-size numbers: pods of 50 ms, 3 → 6, new pods 5x slower at first and
 * warm after 5 s, their first 30 s.
 */
class RampForecastTest {
  private static final WarmUp FIVE_SECONDS = new WarmUp(5_000, 5);

  private static double p99(SlowStartConfig ramp) {
    return new RampForecast(ramp, FIVE_SECONDS, 50, 3, 6).p99ServiceMs(30);
  }

  @Test
  void withoutSlowStartTheFirstPercentOfTheRunHoldsTheSlowestPercentOfTheCalls() {
    // An even share: 1 % of the calls by 300 ms in, when a call takes 50 * (5 - 4 * 300 / 5000) = 238 ms.
    assertEquals(238, p99(SlowStartConfig.OFF), 0.5);
  }

  @Test
  void envoysDefaultFloorSendsTheColdPodTooMuchToHideItsFirstCalls() {
    // 10 % of a weight from the start: the first 1 % of the pod's calls are sent within its first 1.4 s or so.
    double p99 = p99(ReportOptions.ColdStartLoad.envoyDefaults(20_000));
    assertTrue(p99 > 180 && p99 < 215, "about 4x the warm 50 ms: " + p99);
  }

  @Test
  void aSteepRampFromOnePercentKeepsTheColdSecondsOutOfTheP99() {
    // Weight (t / 20 s)^2 from a 1 % floor: the pod's first 1 % of calls have gone by about 4.5 s, nearly warm.
    double p99 = p99(ReportOptions.ColdStartLoad.steep(20_000));
    assertTrue(p99 > 55 && p99 < 75, "within 1.5x a warm call: " + p99);
  }

  @Test
  void aPodWarmBeforeItsFirstCallForecastsItsWarmTime() {
    assertEquals(50, new RampForecast(SlowStartConfig.OFF, WarmUp.OFF, 50, 3, 6).p99ServiceMs(30), 1e-9);
  }
}

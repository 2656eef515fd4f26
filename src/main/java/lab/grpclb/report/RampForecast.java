package lab.grpclb.report;

import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.config.WarmUp;

/**
 * What a slow-start ramp promises before anything runs: pods {@code from} → {@code to}, the new ones cold by
 * {@code warmUp}, round robin giving each new pod weight {@link SlowStartConfig#weightAt} against the old pods' 1. A
 * new pod's calls early in its life take longest, so the slowest 1 % of its calls are its first ones: the ramp
 * decides how many those are. Service time alone, no queueing, each new pod's share of the calls taken as the ramp's
 * weight gives it: an estimate beside what the run measures, not a bound (a full-size run measured 57.4 ms where
 * this said 65.2).
 */
record RampForecast(SlowStartConfig ramp, WarmUp warmUp, int delayMs, int from, int to) {
  /** Fine enough that the warm-up's slope moves the answer by well under a millisecond. */
  private static final double STEP_MS = 10;

  /**
   * The p99 of one new pod's service times over its first {@code seconds}: the service time of the call by which
   * the ramp has sent the pod 1 % of what it sends it in those seconds.
   */
  double p99ServiceMs(int seconds) {
    double all = 0;
    for (double t = 0; t < seconds * 1000.0; t += STEP_MS) {
      all += share(t);
    }
    double sent = 0;
    double t = 0;
    for (; t < seconds * 1000.0 && sent < 0.01 * all; t += STEP_MS) {
      sent += share(t);
    }
    return delayMs * warmUp.slowdown(t - STEP_MS);
  }

  /** One new pod's part of the calls {@code sinceScaleMs} after the scale. */
  private double share(double sinceScaleMs) {
    double weight = ramp.on() ? ramp.weightAt(sinceScaleMs) : 1;
    return weight / (from + (to - from) * weight);
  }
}

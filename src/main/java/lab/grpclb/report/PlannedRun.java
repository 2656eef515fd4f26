package lab.grpclb.report;

/**
 * One experiment a section will ask the client for, as the report's progress line names it, and how long it should
 * take. An open loop's length is known to the second; a burst's and a closed loop's are rough guesses, and the
 * progress line corrects every guess by how far the report has run over its plan so far.
 *
 * @param label   what the progress line calls the run, e.g. "ClientWithReuseConn at 80 %"
 * @param seconds how long the run should take, its repeats included
 */
record PlannedRun(String label, double seconds) {
  /**
   * A call's time when the plan cannot know the pods' delay: the lab's default delay (500 ms). A report at another
   * delay is corrected by the measured overrun.
   */
  static final double CALL_S = 0.5;
  /** Calls a burst sends per second beyond its first call's delay (10 000 took about 1 s on 2 cores). */
  static final double BURST_CALLS_PER_S = 25_000;

  /** {@code runs} open loops of {@code seconds} each. */
  static PlannedRun openLoop(String label, int seconds, int runs) {
    return new PlannedRun(label, (double) seconds * runs);
  }

  /** {@code runs} bursts of {@code n} calls: one call's delay, plus the time to send them. */
  static PlannedRun burst(String label, int n, int runs) {
    return new PlannedRun(label, runs * (CALL_S + n / BURST_CALLS_PER_S));
  }

  /** {@code runs} closed loops of {@code n} calls, {@code concurrency} in flight: n / concurrency rounds of a call. */
  static PlannedRun closedLoop(String label, int n, int concurrency, int runs) {
    return new PlannedRun(label, runs * Math.ceil((double) n / concurrency) * CALL_S);
  }
}

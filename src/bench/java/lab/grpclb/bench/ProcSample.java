package lab.grpclb.bench;

/** This process's resident memory and open file descriptors at one moment (Linux /proc). */
record ProcSample(String when, long atMs, long rssKb, long fds) {

  /** Reads /proc/self: a few small reads, for a thread that may block (never an event loop). */
  static ProcSample now(String when, long atMs) {
    return new ProcSample(when, atMs, ProcReadings.ownStatusKb("VmRSS"), ProcReadings.ownOpenFds());
  }

  /**
   * A sample once the descriptors stop falling (polled every 200 ms, for at most 3 s): a `Client` burst opens a
   * connection per call, and its last thousands are still closing just after it answers.
   */
  static ProcSample settled(String when, long atMs) throws InterruptedException {
    long before = ProcReadings.ownOpenFds();
    for (int i = 0; i < 15; i++) {
      Thread.sleep(200);
      long now = ProcReadings.ownOpenFds();
      if (now >= before) {
        break;
      }
      before = now;
    }
    return now(when, atMs);
  }
}

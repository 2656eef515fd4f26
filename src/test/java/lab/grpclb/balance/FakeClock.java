package lab.grpclb.balance;

import java.util.function.LongSupplier;

/** Virtual time for picker tests, in nanoseconds: it moves only when told to. */
final class FakeClock implements LongSupplier {
  private long nanos;

  @Override
  public long getAsLong() {
    return nanos;
  }

  void advanceMs(double ms) {
    nanos += Math.round(ms * 1_000_000);
  }

  /** One call to {@code endpoint} that takes {@code ms}: a round-trip sample. */
  void call(LoadedEndpoint endpoint, double ms) {
    long started = endpoint.load().callStarted();
    advanceMs(ms);
    endpoint.load().callEnded(started);
  }
}

package lab.grpclb.bench;

/** A failure that ends the benchmark with one clear message (no stack trace: it says what to do). */
final class BenchFailure extends RuntimeException {
  BenchFailure(String message) {
    super(message, null, false, false);
  }
}

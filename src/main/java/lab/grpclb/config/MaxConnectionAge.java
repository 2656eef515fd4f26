package lab.grpclb.config;

import java.util.concurrent.ThreadLocalRandom;

/**
 * gRPC's MAX_CONNECTION_AGE (gRFC A9): a connection older than {@code ageMs}, give or take 10 %, is told to go
 * away, and its calls in flight get {@code graceMs} to finish before it is closed. {@link #OFF} keeps
 * connections for as long as the client wants them.
 */
public record MaxConnectionAge(long ageMs, long graceMs) {
  /** The flags' defaults: off, with the default grace. */
  public static final MaxConnectionAge OFF = from(Flags.none());
  /** gRFC A9's jitter: +/-10 %, so that connections opened together do not all go away together. */
  static final double JITTER = 0.1;

  public static MaxConnectionAge from(Flags flags) {
    return new MaxConnectionAge(
        flags.integer(FlagTable.MAX_CONNECTION_AGE_MS),
        flags.integer(FlagTable.MAX_CONNECTION_AGE_GRACE_MS));
  }

  public boolean off() {
    return ageMs == 0;
  }

  /** One connection's age limit: the age with its jitter drawn (at least 1 ms). */
  public long jitteredAgeMs() {
    double factor = 1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble();
    return Math.max(1, Math.round(ageMs * factor));
  }

  /** For logs: "500 ms (grace 10000 ms)" or "off". */
  public String describe() {
    return off() ? "off" : ageMs + " ms (grace " + graceMs + " ms)";
  }
}

package lab.grpclb.balance;

import java.util.function.LongSupplier;

/**
 * What the pickers know of one endpoint's load: its calls in flight and a peak-EWMA of its round-trip times.
 *
 * <p>No lock, no atomic: the fields are plain and belong to one event loop, the balancer's, where every call
 * to the endpoint is picked, started and ended ({@code EndpointConnection} runs its calls there). Only metrics
 * read {@link #inFlight()} from another thread, for display.
 *
 * <p>The estimate follows Finagle's {@code PeakEwma} and tower's {@code load/peak_ewma.rs} (Linkerd): a sample
 * above the estimate replaces it at once; a lower one pulls it toward the sample with weight
 * {@code 1 - exp(-elapsed / decay)}, elapsed being the time since the last sample, so it settles on a new
 * level within about {@code decay} however often calls end. Between samples the estimate decays toward 0, as
 * both do on every read, so that an endpoint left alone for being slow is tried again; here that decay is
 * computed on read, not stored, so a pick only reads. It starts at the initial RTT (tower's default RTT).
 */
public final class EndpointLoad {
  /**
   * Finagle's cost for an endpoint with calls in flight and no reply yet: above any real cost, so a new
   * endpoint takes one call and then waits for its first answer before it takes more.
   */
  static final double PENALTY = (double) (Long.MAX_VALUE >> 16);

  private final LongSupplier nanoClock;
  private final double decayNanos;
  private int inFlight;
  private boolean sampled;
  /** The estimate at {@link #stampNanos}, in nanoseconds. */
  private double rttNanos;
  private long stampNanos;

  public EndpointLoad(long decayMs, long initialRttMs, LongSupplier nanoClock) {
    if (decayMs <= 0 || initialRttMs <= 0) {
      throw new IllegalArgumentException("decay and initial RTT must be positive");
    }
    this.nanoClock = nanoClock;
    this.decayNanos = decayMs * 1e6;
    this.rttNanos = initialRttMs * 1e6;
    this.stampNanos = nanoClock.getAsLong();
  }

  /** A call was sent here: returns its start time, for {@link #callEnded}. */
  public long callStarted() {
    inFlight++;
    return nanoClock.getAsLong();
  }

  /** The call started at {@code startedNanos} ended, whatever its outcome: its round trip is a sample. */
  public void callEnded(long startedNanos) {
    inFlight--;
    long now = nanoClock.getAsLong();
    double sample = Math.max(0, now - startedNanos);
    if (sample >= rttNanos) {
      rttNanos = sample; // above the estimate however it decayed: no need to compute the decay
    } else {
      double weight = decayWeight(now);
      double current = rttNanos * weight;
      rttNanos = sample > current ? sample : current + sample * (1 - weight);
    }
    stampNanos = now;
    sampled = true;
  }

  public int inFlight() {
    return inFlight;
  }

  /** The RTT estimate now, in nanoseconds. */
  public double rttEstimateNanos() {
    return rttNanos * decayWeight(nanoClock.getAsLong());
  }

  /** Peak EWMA's cost: the RTT estimate x (calls in flight + 1); {@link #PENALTY} while the first calls are out. */
  public double cost() {
    if (!sampled && inFlight > 0) {
      return PENALTY + inFlight;
    }
    return rttEstimateNanos() * (inFlight + 1);
  }

  private double decayWeight(long now) {
    return Math.exp(-Math.max(0, now - stampNanos) / decayNanos);
  }
}

package lab.grpclb.call;

import java.util.Objects;

/**
 * What every attempt of one call shares, whichever connection it goes on: its deadline (and the setting that set
 * it, for the error), the cancellation that may end it first, whether the pod's per-call load report in its
 * trailers is read (only for a policy that weighs by it, as grpc-java reads ORCA only on calls its WRR picked), and
 * the zone of the client that makes it (null: none), sent as {@link #CLIENT_ZONE_HEADER} metadata.
 */
public record CallOptions(long deadlineNanos, String deadlineReason, Cancellation cancellation, boolean loadReport,
                          String clientZone) {
  /**
   * The lab's own metadata naming the caller's zone (no gRPC standard has one): local mode's pods add the
   * cross-zone delay (--cross-zone-ms) to a call from another zone by it.
   */
  public static final String CLIENT_ZONE_HEADER = "x-client-zone";

  public CallOptions(long deadlineNanos, String deadlineReason, Cancellation cancellation) {
    this(deadlineNanos, deadlineReason, cancellation, false, null);
  }

  /** A call that must end within {@code timeoutMs} from now (the reason from {@link GrpcCall#deadlineReason}). */
  public static CallOptions within(long timeoutMs, String deadlineReason, Cancellation cancellation) {
    return new CallOptions(System.nanoTime() + timeoutMs * 1_000_000, deadlineReason, cancellation);
  }

  /** The same, its attempts reading the pods' per-call load reports or not. */
  public CallOptions withLoadReport(boolean read) {
    return new CallOptions(deadlineNanos, deadlineReason, cancellation, read, clientZone);
  }

  /** The same for an attempt that has its own cancellation (a hedged call's). */
  public CallOptions withCancellation(Cancellation attempt) {
    return new CallOptions(deadlineNanos, deadlineReason, attempt, loadReport, clientZone);
  }

  /** The same, from a client in {@code zone} (null: it names none). */
  public CallOptions withClientZone(String zone) {
    if (Objects.equals(zone, clientZone)) {
      return this; // a client without a zone (most) allocates nothing more per call
    }
    return new CallOptions(deadlineNanos, deadlineReason, cancellation, loadReport, zone);
  }
}

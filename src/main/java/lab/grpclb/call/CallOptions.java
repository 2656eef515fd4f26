package lab.grpclb.call;

/**
 * What every attempt of one call shares, whichever connection it goes on: its deadline (and the setting that set
 * it, for the error), the cancellation that may end it first, and whether the pod's per-call load report in its
 * trailers is read (only for a policy that weighs by it, as grpc-java reads ORCA only on calls its WRR picked).
 */
public record CallOptions(long deadlineNanos, String deadlineReason, Cancellation cancellation, boolean loadReport) {

  public CallOptions(long deadlineNanos, String deadlineReason, Cancellation cancellation) {
    this(deadlineNanos, deadlineReason, cancellation, false);
  }

  /** A call that must end within {@code timeoutMs} from now (the reason from {@link GrpcCall#deadlineReason}). */
  public static CallOptions within(long timeoutMs, String deadlineReason, Cancellation cancellation) {
    return new CallOptions(System.nanoTime() + timeoutMs * 1_000_000, deadlineReason, cancellation);
  }

  /** The same, its attempts reading the pods' per-call load reports or not. */
  public CallOptions withLoadReport(boolean read) {
    return new CallOptions(deadlineNanos, deadlineReason, cancellation, read);
  }

  /** The same for an attempt that has its own cancellation (a hedged call's). */
  public CallOptions withCancellation(Cancellation attempt) {
    return new CallOptions(deadlineNanos, deadlineReason, attempt, loadReport);
  }
}

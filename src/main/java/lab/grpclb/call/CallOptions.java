package lab.grpclb.call;

/**
 * What every attempt of one call shares, whichever connection it goes on: its deadline (and the setting that set
 * it, for the error) and the cancellation that may end it first.
 */
public record CallOptions(long deadlineNanos, String deadlineReason, Cancellation cancellation) {

  /** A call that must end within {@code timeoutMs} from now (the reason from {@link GrpcCall#deadlineReason}). */
  public static CallOptions within(long timeoutMs, String deadlineReason, Cancellation cancellation) {
    return new CallOptions(System.nanoTime() + timeoutMs * 1_000_000, deadlineReason, cancellation);
  }
}

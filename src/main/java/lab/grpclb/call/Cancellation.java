package lab.grpclb.call;

/**
 * Ends the calls started with it: once {@link #cancel} is called, a call not sent yet fails at once, and a call in
 * flight is reset (RST_STREAM CANCEL, so its pod stops working on it) and fails with the reason given. One per
 * experiment, so that an experiment whose requester went away, or that was stopped, frees the pods too. (A retry
 * that waits on a timer of its own is not reached: it ends at its deadline, and its experiment has already counted
 * it cut short.) Calls carry it at the cost of one field; it finds them through {@link Deadlines}.
 */
public final class Cancellation {
  /** For calls nobody cancels. */
  public static final Cancellation NEVER = new Cancellation();

  private volatile CallFailure reason;

  /** Cancels every call started with this; the first reason wins. */
  public void cancel(CallFailure why) {
    if (this == NEVER) {
      throw new IllegalStateException("Cancellation.NEVER cannot be cancelled");
    }
    synchronized (this) {
      if (reason != null) {
        return;
      }
      reason = why;
    }
    Deadlines.cancelEverywhere(this);
  }

  /** Why the calls were cancelled, or null while they are not. */
  public CallFailure reason() {
    return reason;
  }
}

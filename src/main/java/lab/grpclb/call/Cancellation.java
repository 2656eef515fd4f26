package lab.grpclb.call;

/**
 * Ends the calls started with it: once {@link #cancel} is called, a call not sent yet fails at once, and a call in
 * flight is reset (RST_STREAM CANCEL, so its pod stops working on it) and fails with the reason given. One per
 * experiment, so that an experiment whose requester went away, or that was stopped, frees the pods too. (A retry
 * that waits on a timer of its own is not reached: it ends at its deadline, and its experiment has already counted
 * it cut short.) Calls carry it at the cost of one field; it finds them through {@link Deadlines}.
 *
 * <p>A hedged call cancels one attempt alone (the losers, once another answered): {@link #forAttempt} gives that
 * attempt its own, which its experiment's still cancels too.
 */
public final class Cancellation {
  /** For calls nobody cancels. */
  public static final Cancellation NEVER = new Cancellation(null);

  /** The cancellation of the call this attempt belongs to; null for a call's own. */
  private final Cancellation parent;
  private volatile CallFailure reason;
  /** Ends the one call started with an attempt's cancellation; set and run on that call's event loop. */
  private Runnable endAttempt;

  public Cancellation() {
    this(null);
  }

  private Cancellation(Cancellation parent) {
    this.parent = parent;
  }

  /**
   * A cancellation for one attempt of a call started with this one: cancelling it ends that attempt only, at once,
   * and must happen on the event loop the attempt runs on; cancelling this one ends the attempt too.
   */
  public Cancellation forAttempt() {
    return new Cancellation(this);
  }

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
    if (parent == null) {
      Deadlines.cancelEverywhere(this);
    } else if (endAttempt != null) {
      endAttempt.run(); // one attempt: no need to search every event loop's calls
    }
  }

  /** Why the calls were cancelled (or, for an attempt's, its call's), or null while they are not. */
  public CallFailure reason() {
    CallFailure own = reason;
    return own != null || parent == null ? own : parent.reason();
  }

  /** Whether a call started with this one ends when {@code cancelled} is cancelled. */
  boolean within(Cancellation cancelled) {
    return this == cancelled || parent == cancelled;
  }

  /** An attempt's call says how to end it, on its event loop; a call's own cancellation finds its calls otherwise. */
  void onAttemptCancelled(Runnable end) {
    if (parent != null) {
      endAttempt = end;
    }
  }
}

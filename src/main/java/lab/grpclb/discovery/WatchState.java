package lab.grpclb.discovery;

/** Where the EndpointSlice watch is in its loop; {@link #label()} is the name /status shows. */
public enum WatchState {
  STARTING("starting"),
  LISTING("listing"),
  WATCHING("watching"),
  /** A list or watch failed; the last good endpoints are kept and a retry is scheduled. */
  BACKING_OFF("backing off"),
  /** 401 or 403: a configuration error (token or RBAC), retried with backoff but reported loudly. */
  UNAUTHORIZED("unauthorized"),
  /** close() ran: no request is open, no retry is scheduled, no endpoints are delivered any more. */
  STOPPED("stopped");

  private final String label;

  WatchState(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}

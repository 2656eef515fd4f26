package lab.grpclb.client;

import lab.grpclb.balance.ConnectivityState;

/**
 * What health checking (gRFC A17) says of an endpoint's READY connection, and so what the balancer sees of it: only
 * a healthy one is picked; an unhealthy one stays connected.
 */
public enum HealthStatus {
  /** Health checking is off ({@code --health-check-service off}): a READY connection is picked. */
  OFF(ConnectivityState.READY),
  /** The Watch is sent and has no answer yet: not picked yet (A17 reports CONNECTING). */
  PENDING(ConnectivityState.CONNECTING),
  SERVING(ConnectivityState.READY),
  NOT_SERVING(ConnectivityState.TRANSIENT_FAILURE),
  /** The pod has no such service (health.proto keeps the Watch open in case it appears). */
  SERVICE_UNKNOWN(ConnectivityState.TRANSIENT_FAILURE),
  /** The pod answered UNKNOWN. */
  UNKNOWN(ConnectivityState.TRANSIENT_FAILURE),
  /** The pod has no health service (the Watch answered UNIMPLEMENTED): healthy, as A17 says. */
  UNIMPLEMENTED(ConnectivityState.READY),
  /** The pod ended the Watch: not picked until a new Watch, after the backoff, answers SERVING. */
  WATCH_ENDED(ConnectivityState.TRANSIENT_FAILURE);

  private final ConnectivityState seenAs;

  HealthStatus(ConnectivityState seenAs) {
    this.seenAs = seenAs;
  }

  /** The state the balancer is told of a READY connection with this health. */
  public ConnectivityState seenAs() {
    return seenAs;
  }
}

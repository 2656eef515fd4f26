package lab.grpclb.balance;

/**
 * An endpoint connection's state, as gRPC names them (grpc-java {@code ConnectivityState}). Only READY
 * endpoints are picked; TRANSIENT_FAILURE is sticky until a connection is READY again, so an endpoint that
 * keeps failing never flaps back into the picker between attempts.
 */
public enum ConnectivityState {
  /** No connection and none being made: the next request for one connects at once. */
  IDLE,
  /** A connection (TCP and the HTTP/2 handshake) is being made. */
  CONNECTING,
  /** Connected: calls may go here. */
  READY,
  /** The last attempt failed; the next one waits for the backoff. */
  TRANSIENT_FAILURE,
  /** The endpoint left (or the channel closed): no connection will be made again. */
  SHUTDOWN
}

package lab.grpclb.client;

import io.vertx.core.Future;

/** Makes connection attempts to one address: HTTP/2 over TCP in use ({@link Http2Connector}), a fake in tests. */
public interface Connector {

  /** Starts an attempt; the transport it makes tells {@code listener} what becomes of it. */
  Attempt connect(Transport.Events listener);

  /** An attempt in progress. */
  interface Attempt {
    /** The transport, or the failure (a {@link lab.grpclb.call.CallFailure}). */
    Future<Transport> transport();

    /** Nobody will use this attempt (it timed out, failed, or its endpoint left): free what it holds. */
    void abandon();
  }
}

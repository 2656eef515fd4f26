package lab.grpclb.balance;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import lab.grpclb.call.CallOptions;

/**
 * One endpoint's connection as a balancer sees it (grpc-java's {@code LoadBalancer.Subchannel}): it tells its
 * listener each connectivity state, connects when asked, and carries calls for the channel, which supplies the
 * method. Touched on the balancer's event loop only.
 */
public interface Subchannel extends LoadedEndpoint {

  /** host:port, the endpoint's key. */
  String key();

  /** Starts reporting states to {@code listener}; call once. */
  void start(StateListener listener);

  /** Connects now if IDLE. */
  void requestConnection();

  /** One call here; fails {@link lab.grpclb.call.CallFailure#unprocessed() unprocessed} when not READY. */
  <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options);

  /** Outlier detection's counts of the calls that ended here. */
  OutlierTracker outliers();

  /**
   * Hands {@code listener} each load report the pod sends (gRFC A51): in the trailers of the calls made here, and,
   * after {@link #requestOobReports}, on the out-of-band stream of each READY connection. One listener; null: none.
   */
  void setLoadReportListener(LoadReportListener listener);

  /** Asks the pod for out-of-band load reports every {@code periodMs} on each READY connection (0: stop asking). */
  void requestOobReports(long periodMs);

  /** No new calls or connections; completes once the calls in flight have ended. Its listener hears no more. */
  Future<Void> drain();

  /** Told each load report a pod sends, on the balancer's event loop. */
  @FunctionalInterface
  interface LoadReportListener {
    void loadReported(LoadReport report);
  }

  /** Told each state the subchannel enters, with the error that caused it (null when none). */
  @FunctionalInterface
  interface StateListener {
    void stateChanged(ConnectivityState state, String error);
  }
}

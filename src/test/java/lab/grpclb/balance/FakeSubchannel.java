package lab.grpclb.balance;

import io.vertx.core.Future;
import io.vertx.grpc.common.ServiceMethod;
import lab.grpclb.call.CallOptions;

/**
 * A subchannel whose states a test sets (grpc-java's tests do the same with their fake subchannels): no socket,
 * no event loop. A call on it succeeds at once, or fails when the test made it fail; either way it is counted as
 * the real connection counts it.
 */
public final class FakeSubchannel implements Subchannel {
  private final String key;
  private final EndpointLoad load;
  private final OutlierTracker outliers = new OutlierTracker();
  private StateListener listener;
  private boolean failing;
  int connectionRequests;
  boolean drained;

  FakeSubchannel(String key, FakeClock clock) {
    this.key = key;
    this.load = new EndpointLoad(10_000, 30, clock);
  }

  /** Reports {@code state} to the balancer, as the connection would. */
  void enter(ConnectivityState state) {
    enter(state, null);
  }

  void enter(ConnectivityState state, String error) {
    if (listener == null) {
      throw new IllegalStateException(key + " was never started");
    }
    listener.stateChanged(state, error);
  }

  /** Its calls fail from now on (or succeed again). */
  void failCalls(boolean fail) {
    failing = fail;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public void start(StateListener listener) {
    this.listener = listener;
  }

  @Override
  public void requestConnection() {
    connectionRequests++;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options) {
    long started = load.callStarted();
    load.callEnded(started);
    outliers.callEnded(!failing);
    return failing ? Future.failedFuture("failed on purpose") : Future.succeededFuture((R) request);
  }

  @Override
  public EndpointLoad load() {
    return load;
  }

  @Override
  public OutlierTracker outliers() {
    return outliers;
  }

  @Override
  public Future<Void> drain() {
    drained = true; // a test may still make it report, as a late event would
    return Future.succeededFuture();
  }

  @Override
  public String toString() {
    return key;
  }
}

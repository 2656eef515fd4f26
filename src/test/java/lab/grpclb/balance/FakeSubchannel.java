package lab.grpclb.balance;

import experiment.Experiment.HelloReply;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.grpc.common.ServiceMethod;
import java.util.List;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;

/**
 * A subchannel whose states a test sets (grpc-java's tests do the same with their fake subchannels): no socket,
 * no event loop. A call on it succeeds at once, or fails when the test made it fail; either way it is counted as
 * the real connection counts it. One made {@link #holding} keeps its calls until the test ends them instead.
 */
public final class FakeSubchannel implements Subchannel {
  private final String key;
  private final EndpointLoad load;
  private final OutlierTracker outliers = new OutlierTracker();
  /** Where a holding subchannel puts its calls; null for one whose calls end at once. */
  private final List<HeldCall> held;
  private StateListener listener;
  private LoadReportListener reports;
  /** The out-of-band report period the balancer asked for last (0: none). */
  long oobPeriodMs;
  private boolean failing;
  int connectionRequests;
  boolean drained;

  FakeSubchannel(String key, FakeClock clock) {
    this(key, clock, null);
  }

  private FakeSubchannel(String key, FakeClock clock, List<HeldCall> held) {
    this.key = key;
    this.load = new EndpointLoad(10_000, 30, clock);
    this.held = held;
  }

  /**
   * A READY endpoint whose calls wait until the test ends them, as a pod that answers late or never: each joins
   * {@code held}, the test's log of every such endpoint's calls in the order they were sent.
   */
  public static FakeSubchannel holding(String key, FakeClock clock, List<HeldCall> held) {
    return new FakeSubchannel(key, clock, held);
  }

  /** A call a holding subchannel keeps, with the options it was sent with (so a test sees it cancelled). */
  public record HeldCall(String endpoint, CallOptions options, Promise<Object> reply) {
    public boolean cancelled() {
      return options.cancellation().reason() != null;
    }

    public CallFailure cancelledWith() {
      return options.cancellation().reason();
    }

    /** The pod at {@code ip} replies. */
    public void answer(String ip) {
      reply.complete(HelloReply.newBuilder().setIpAddress(ip).build());
    }

    public void fail(CallFailure failure) {
      reply.fail(failure);
    }
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
    if (held != null) {
      HeldCall call = new HeldCall(key, options, Promise.promise());
      held.add(call);
      return (Future<R>) call.reply().future();
    }
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
  public void setLoadReportListener(LoadReportListener listener) {
    reports = listener;
  }

  @Override
  public void requestOobReports(long periodMs) {
    oobPeriodMs = periodMs;
  }

  /** The pod reports its load, as a call's trailer or the out-of-band stream would. */
  public void report(LoadReport report) {
    if (reports != null) {
      reports.loadReported(report);
    }
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

package lab.grpclb.client;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.OutlierTracker;
import lab.grpclb.balance.Scheduler;
import lab.grpclb.balance.Subchannel;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.config.HealthCheck;

/**
 * One long-lived connection to one endpoint and its gRPC connectivity state, as grpc-java's pick-first leaf keeps
 * it: IDLE, CONNECTING, READY, TRANSIENT_FAILURE with gRPC's connection backoff between attempts, SHUTDOWN. A
 * dropped connection goes IDLE until its owner asks for a connection; a failed attempt stays TRANSIENT_FAILURE
 * (sticky, so the endpoint never flaps back into a picker between attempts) until one succeeds. An attempt is bounded by the
 * connect timeout, handshake included: a server that accepts TCP but never speaks HTTP/2 is a failure, not a hang.
 * While READY, its {@link HealthWatch} decides what the balancer sees (gRFC A17): a pod that says NOT_SERVING is
 * reported TRANSIENT_FAILURE with its connection kept.
 *
 * <p>It lives on one event loop, calls included; state, last error and next attempt are volatile only for the
 * status page and metrics, which read them from other threads. The {@link Connector} and {@link Scheduler} are
 * real sockets and Vert.x timers in use, fakes in unit tests.
 */
public final class EndpointConnection implements Subchannel {
  private static final Logger LOG = Logger.getLogger(EndpointConnection.class.getName());

  private final Context context;
  private final Scheduler scheduler;
  private final Connector connector;
  private final SocketAddress address;
  private final String key;
  private final long connectTimeoutMs;
  private final long drainTimeoutMs;
  private final ConnectionBackoff backoff;
  private final ClientKeepAlive keepAlive;
  private final EndpointLoad load;
  /**
   * When the pod last answered a call here (or the connection turned READY): what keepalive counts as the
   * connection receiving. Not when a call merely ended: a hedge that won elsewhere cancels its attempt here, which
   * says nothing of this connection, and a pod that went silent under hedged calls would never be pinged.
   */
  private long lastAnsweredNanos;
  /** Told each load report the pod sends (ORCA); null: nobody listens. */
  private LoadReportListener loadReports;
  private final OrcaStream orcaStream;
  /** Attempts sent here: the experiment samples them to show where attempts went, retried ones too. */
  private final LongAdder attempts = new LongAdder();
  private final OutlierTracker outliers = new OutlierTracker();
  private final Promise<Void> closed = Promise.promise();
  private StateListener listener = (state, error) -> { };
  /** Connections made so far; read by metrics from another thread. */
  private volatile long opened;
  private volatile ConnectivityState state = ConnectivityState.IDLE;
  private volatile String lastError;
  private volatile Instant nextAttemptAt;
  /** The transport while READY; the attempt's while CONNECTING; the last failure while TRANSIENT_FAILURE. */
  private Future<Transport> transport;
  private Connector.Attempt pending;
  private Scheduler.Timer retryTimer = Scheduler.Timer.NONE;
  /** While READY with keepalive on: the PINGs that find out whether the connection still answers. */
  private KeepAlivePings pings;
  /** gRFC A17: while READY, the Watch that says whether the balancer may pick this endpoint. */
  private final HealthWatch healthWatch;
  /** What the listener was last told: the state, gated by health while READY. */
  private ConnectivityState reported = ConnectivityState.IDLE;
  /** Bumped by every attempt, so that the outcome of a superseded one is ignored. */
  private int attempt;

  /**
   * A snapshot for the status page: the state, the last error, when the next attempt is due, and while READY what
   * health checking says (null otherwise).
   */
  public record Health(ConnectivityState state, String lastError, Instant nextAttemptAt, HealthStatus serving) {
  }

  /**
   * {@code context} is the event loop everything runs on (null in unit tests, which run on one thread);
   * {@code drainTimeoutMs} bounds how long a leaving endpoint's calls in flight may take.
   */
  public EndpointConnection(Context context, Scheduler scheduler, Connector connector, SocketAddress address,
                            long connectTimeoutMs, long drainTimeoutMs, ConnectionBackoff backoff,
                            ClientKeepAlive keepAlive, EndpointLoad load, HealthCheck healthCheck) {
    this.context = context;
    this.scheduler = scheduler;
    this.connector = connector;
    this.address = address;
    this.key = address.host() + ":" + address.port();
    this.connectTimeoutMs = connectTimeoutMs;
    this.drainTimeoutMs = drainTimeoutMs;
    this.backoff = backoff;
    this.keepAlive = keepAlive;
    this.load = load;
    this.healthWatch = new HealthWatch(scheduler, healthCheck, key, new ConnectionBackoff(), this::report);
    this.orcaStream = new OrcaStream(scheduler, key, new ConnectionBackoff(), report -> {
      LoadReportListener listener = loadReports;
      if (listener != null) {
        listener.loadReported(report);
      }
    });
  }

  /** The event loop this connection lives on; callers that can should start calls from it. */
  public Context context() {
    return context;
  }

  @Override
  public void start(StateListener listener) {
    this.listener = listener;
  }

  /**
   * One call. When the connection is not READY the call is not sent and fails with a {@link CallFailure} that is
   * {@linkplain CallFailure#unprocessed() unprocessed}; a caller with only this connection may first wait for
   * {@link #awaitReady()}.
   */
  @Override
  public <Q, R> Future<R> call(ServiceMethod<R, Q> method, Q request, CallOptions options) {
    if (Vertx.currentContext() != context) {
      Promise<R> reply = Promise.promise();
      context.runOnContext(v -> call(method, request, options).onComplete(reply));
      return reply.future();
    }
    Future<Transport> current = transport;
    if (state != ConnectivityState.READY || current == null || !current.succeeded()) {
      return Future.failedFuture(CallFailure.unprocessed("endpoint " + key + " is " + state + describeError()));
    }
    long started = load.callStarted();
    attempts.increment();
    // A58: with out-of-band reports asked for, per-call reports are not used
    LoadReportListener perCall = options.loadReport() && !orcaStream.asked() ? loadReports : null;
    return current.result().call(method, request, options, perCall).andThen(ar -> {
      if (answered(ar)) {
        lastAnsweredNanos = scheduler.nanoTime();
      }
      load.callEnded(started);
      outliers.callEnded(ar.succeeded());
    });
  }

  /**
   * Completes once READY, connecting first if IDLE; fails with the attempt's error if it fails, and at once (with
   * the last error) while TRANSIENT_FAILURE waits for its backoff. On {@link #context} only.
   */
  public Future<Void> awaitReady() {
    if (state == ConnectivityState.IDLE) {
      connectNow();
    }
    if (transport == null) {
      return Future.failedFuture(CallFailure.unprocessed("endpoint " + key + " is " + state));
    }
    return transport.recover(err -> Future.failedFuture(CallFailure.unprocessed(lastError != null ? lastError
        : "endpoint " + key + " is " + ConnectivityState.TRANSIENT_FAILURE))).mapEmpty();
  }

  @Override
  public void requestConnection() {
    if (state == ConnectivityState.IDLE) {
      connectNow();
    }
  }

  /** Skips the backoff wait of an endpoint in TRANSIENT_FAILURE (grpc's resetConnectBackoff). */
  public void resetBackoff() {
    backoff.reset();
    if (state == ConnectivityState.TRANSIENT_FAILURE && transport != null && transport.failed()) {
      retryTimer.cancel();
      connectNow();
    }
  }

  private void connectNow() {
    int current = ++attempt;
    nextAttemptAt = null;
    Connector.Attempt made = connector.connect(new Transport.Events() {
      @Override
      public void error(String reason) {
        lastError = reason; // the calls report it; no log
      }

      @Override
      public void gone(String why) {
        if (current == attempt) {
          dropped(why);
        }
      }

      @Override
      public void tooManyPings() {
        keepAlive.tooManyPings(key);
      }
    });
    pending = made;
    transport = made.transport();
    setState(ConnectivityState.CONNECTING);
    Scheduler.Timer handshakeTimer = scheduler.schedule(connectTimeoutMs,
        () -> attemptEnded(current, made, Future.failedFuture(CallFailure.handshakeTimeout(connectTimeoutMs))));
    made.transport().onComplete(ar -> {
      handshakeTimer.cancel();
      attemptEnded(current, made, ar.succeeded() ? Future.succeededFuture(ar.result())
          : Future.failedFuture(ar.cause()));
    });
  }

  private void attemptEnded(int which, Connector.Attempt made, Future<Transport> outcome) {
    if (which != attempt || pending != made) {
      if (outcome.succeeded()) {
        outcome.result().drain(0); // superseded (an abandoned attempt should not succeed, but nobody will use it)
      }
      return; // superseded, or already ended (a timeout, then the abandoned attempt's failure)
    }
    pending = null;
    if (outcome.failed()) {
      made.abandon();
      transport = outcome;
      failed(outcome.cause());
      return;
    }
    transport = outcome;
    opened++;
    backoff.reset();
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      LOG.info(() -> "endpoint " + key + " READY again");
    }
    lastError = null;
    if (keepAlive.on()) {
      Transport ready = outcome.result();
      lastAnsweredNanos = scheduler.nanoTime();
      pings = new KeepAlivePings(scheduler, keepAlive, load::inFlight, () -> lastAnsweredNanos, ready::ping,
          why -> silent(ready, why));
    }
    healthWatch.start(outcome.result());
    orcaStream.connected(outcome.result());
    setState(ConnectivityState.READY);
  }

  /**
   * The READY connection stopped answering PINGs: it is closed (its calls in flight fail, and are retried by the
   * rules of gRFC A6: they may have reached the pod), and the endpoint is TRANSIENT_FAILURE until a new connection
   * is READY, with gRPC's backoff between attempts.
   */
  private void silent(Transport gone, String why) {
    if (state != ConnectivityState.READY || transport == null || transport.result() != gone) {
      return;
    }
    stopProbes();
    CallFailure failure = new CallFailure(GrpcStatus.UNAVAILABLE, why);
    transport = Future.failedFuture(failure); // as after a failed attempt: it waits for the backoff, or its reset
    gone.close();
    failed(failure);
  }

  /** The keepalive PINGs, the health Watch and the ORCA stream end with the READY connection (a drain waits for none). */
  private void stopProbes() {
    healthWatch.stop();
    orcaStream.disconnected();
    if (pings != null) {
      pings.stop();
      pings = null;
    }
  }

  /** A READY connection went away: back to IDLE (its calls in flight end on it); the owner asks for a new one. */
  private void dropped(String why) {
    if (state != ConnectivityState.READY) {
      return;
    }
    stopProbes();
    lastError = why;
    transport = null;
    setState(ConnectivityState.IDLE);
  }

  private void failed(Throwable error) {
    lastError = CallFailure.of(error).reason();
    long delay = backoff.nextDelayMs();
    nextAttemptAt = scheduler.wallTime(scheduler.nanoTime() + delay * 1_000_000);
    if (state != ConnectivityState.TRANSIENT_FAILURE) { // one line on entering it, not one per attempt
      LOG.info(() -> "endpoint " + key + " TRANSIENT_FAILURE: " + lastError + "; retrying with backoff, next in "
          + delay + " ms");
    }
    retryTimer = scheduler.schedule(delay, () -> {
      retryTimer = Scheduler.Timer.NONE;
      if (state == ConnectivityState.TRANSIENT_FAILURE) {
        connectNow(); // stays TRANSIENT_FAILURE for the pickers until this attempt is READY
      }
    });
    setState(ConnectivityState.TRANSIENT_FAILURE);
  }

  /** CONNECTING after a failure is reported as TRANSIENT_FAILURE: the endpoint is not usable yet. */
  private void setState(ConnectivityState next) {
    if (next == ConnectivityState.CONNECTING && state == ConnectivityState.TRANSIENT_FAILURE) {
      return;
    }
    state = next;
    report();
  }

  /**
   * Tells the listener what the balancer should see: the state, and while READY what health checking says (gRFC
   * A17: not picked until healthy). Like a connection's, a health failure stays TRANSIENT_FAILURE until healthy.
   */
  private void report() {
    ConnectivityState shown = healthWatch.seenAs(state);
    if (shown == ConnectivityState.CONNECTING && reported == ConnectivityState.TRANSIENT_FAILURE || shown == reported) {
      return;
    }
    reported = shown;
    listener.stateChanged(shown, shown == state ? lastError : healthWatch.error());
  }

  /** SHUTDOWN: no new connection; GOAWAY, and closed once the calls in flight have ended (or the drain timeout). */
  @Override
  public Future<Void> drain() {
    return drain(drainTimeoutMs);
  }

  /** Shut down now: calls in flight are cut. */
  public Future<Void> close() {
    return drain(0);
  }

  private Future<Void> drain(long timeoutMs) {
    if (context != null && Vertx.currentContext() != context) {
      context.runOnContext(v -> drain(timeoutMs));
      return closed.future();
    }
    if (state == ConnectivityState.SHUTDOWN) {
      return closed.future();
    }
    Future<Transport> current = transport;
    transport = null;
    attempt++;
    retryTimer.cancel();
    stopProbes();
    nextAttemptAt = null;
    state = ConnectivityState.SHUTDOWN;
    if (pending != null) {
      pending.abandon(); // an attempt in progress: nobody will use it
      pending = null;
    }
    Future<Void> closing = current == null || !current.succeeded() ? Future.succeededFuture()
        : current.result().drain(timeoutMs);
    closing.onComplete(ar -> closed.tryComplete());
    return closed.future();
  }

  /** Completes once the connection is shut down and closed. */
  public Future<Void> closed() {
    return closed.future();
  }

  private String describeError() {
    String error = lastError;
    return error == null ? "" : " (" + error + ")";
  }

  @Override
  public String key() {
    return key;
  }

  public SocketAddress address() {
    return address;
  }

  public ConnectivityState state() {
    return state;
  }

  @Override
  public void setLoadReportListener(LoadReportListener listener) {
    loadReports = listener;
  }

  @Override
  public void requestOobReports(long periodMs) {
    orcaStream.period(periodMs);
  }

  /** The state the balancer sees: a READY connection whose pod says NOT_SERVING is TRANSIENT_FAILURE to it. */
  public ConnectivityState balancerState() {
    return healthWatch.seenAs(state);
  }

  public Health health() {
    ConnectivityState now = state;
    return new Health(now, lastError, nextAttemptAt, now == ConnectivityState.READY ? healthWatch.status() : null);
  }

  public long connectionsOpened() {
    return opened;
  }

  public boolean isOpen() {
    return state == ConnectivityState.READY;
  }

  /** Whether the pod answered: a reply or a status it sent, not a cancel, a deadline or a broken connection here. */
  private static boolean answered(AsyncResult<?> outcome) {
    if (outcome.succeeded()) {
      return true;
    }
    CallFailure failure = CallFailure.of(outcome.cause());
    return failure.status() != GrpcStatus.CANCELLED && failure.status() != GrpcStatus.DEADLINE_EXCEEDED
        && !failure.transportFailure();
  }

  /** Attempts sent on this endpoint's connections since it was created; read from any thread. */
  public long attemptsSent() {
    return attempts.sum();
  }

  /** Calls in flight; read from another thread (status, metrics) it may be a moment old. */
  public long callsInFlight() {
    return load.inFlight();
  }

  @Override
  public EndpointLoad load() {
    return load;
  }

  @Override
  public OutlierTracker outliers() {
    return outliers;
  }
}

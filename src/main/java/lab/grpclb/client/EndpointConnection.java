package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.balance.LoadedEndpoint;
import lab.grpclb.balance.OutlierTracker;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.transport.ClientResetLimits;
import lab.grpclb.transport.FlushBatching;
import lab.grpclb.transport.KnownVertxNoise;

/**
 * One long-lived HTTP/2 connection to one server address, and its gRPC connectivity state (the model is
 * grpc-java's {@code PickFirstLeafLoadBalancer.processSubchannelState}): IDLE, CONNECTING, READY,
 * TRANSIENT_FAILURE with gRPC's connection backoff between attempts, SHUTDOWN. A connection that drops goes
 * IDLE and connects again at once; a failed attempt stays TRANSIENT_FAILURE (sticky) until an attempt
 * succeeds. An attempt is bounded by the connect timeout, handshake included: a server that accepts TCP but
 * never speaks HTTP/2 is a failure, not a hang.
 *
 * <p>Everything here runs on the one event-loop context the connection is given, calls included (a call
 * started from another thread costs Vert.x cross-thread queues per stream); the state is volatile only so
 * that {@code /status} can read it from anywhere. So the pickers' view of it ({@link EndpointLoad}: calls in
 * flight, RTT) and outlier detection's ({@link OutlierTracker}) are plain fields: every call is counted when it
 * is sent and again when it ends, whatever its status (deadline and cancellation included; a retry is a call
 * of its own), on this one event loop.
 */
public final class EndpointConnection implements LoadedEndpoint {
  private static final Logger LOG = Logger.getLogger(EndpointConnection.class.getName());

  static {
    KnownVertxNoise.silence(); // an aborted handshake must not log a warning per attempt
  }

  private final Vertx vertx;
  private final Context context;
  private final Supplier<HttpClientAgent> agents;
  private final SocketAddress address;
  private final long connectTimeoutMs;
  private final Consumer<EndpointConnection> onStateChange;
  private final ConnectionBackoff backoff = new ConnectionBackoff();
  private final AtomicLong opened = new AtomicLong();
  private final EndpointLoad load;
  private final OutlierTracker outliers = new OutlierTracker();

  private volatile ConnectivityState state = ConnectivityState.IDLE;
  private volatile String lastError;
  private volatile Instant nextAttemptAt;
  /** The connection while READY; the attempt while CONNECTING; the last failure while TRANSIENT_FAILURE. */
  private Future<Link> link;
  private long retryTimer = -1;
  /** The agent of the attempt in progress, so that a shutdown can free its half-open socket at once. */
  private HttpClientAgent pendingAgent;
  /** Bumped by every attempt, so that the outcome of a superseded one is ignored. */
  private int attempt;

  /** A connection with the client agent that made it (one per connection, so closing it frees its socket). */
  private record Link(HttpClientAgent agent, HttpClientConnection connection, GrpcClient grpc) {
  }

  /** A snapshot for {@code /status}: the state, the last connect error, and when the next attempt is due. */
  public record Health(ConnectivityState state, String lastError, Instant nextAttemptAt) {
  }

  /**
   * {@code agents} makes a client agent per connection attempt: an attempt whose handshake never completes
   * can only be freed by closing its agent, as Vert.x offers no other handle on a half-open connection.
   */
  public EndpointConnection(Vertx vertx, Context context, Supplier<HttpClientAgent> agents, SocketAddress address,
                            long connectTimeoutMs, Consumer<EndpointConnection> onStateChange) {
    this(vertx, context, agents, address, connectTimeoutMs, onStateChange, new EndpointLoad(
        BalancerConfig.DEFAULT_EWMA_DECAY_MS, BalancerConfig.DEFAULT_EWMA_INITIAL_RTT_MS, System::nanoTime));
  }

  /** With the given load tracking (the balancer's peak-EWMA settings). */
  public EndpointConnection(Vertx vertx, Context context, Supplier<HttpClientAgent> agents, SocketAddress address,
                            long connectTimeoutMs, Consumer<EndpointConnection> onStateChange, EndpointLoad load) {
    this.load = load;
    this.vertx = vertx;
    this.context = context;
    this.agents = agents;
    this.address = address;
    this.connectTimeoutMs = connectTimeoutMs;
    this.onStateChange = onStateChange;
  }

  /** The event loop this connection lives on; callers that can should start calls from it. */
  public Context context() {
    return context;
  }

  /**
   * One call with the given deadline. When the connection is not READY the call is not sent and fails with
   * a {@link CallFailure} that is {@linkplain CallFailure#unprocessed() unprocessed}; a caller with only this
   * connection may first wait for {@link #awaitReady()}.
   */
  public Future<HelloReply> sayHello(HelloRequest request, long deadlineNanos, String deadlineReason,
                                    Cancellation cancellation) {
    if (Vertx.currentContext() != context) {
      Promise<HelloReply> reply = Promise.promise();
      context.runOnContext(v -> sayHello(request, deadlineNanos, deadlineReason, cancellation).onComplete(reply));
      return reply.future();
    }
    Future<Link> current = link;
    if (state != ConnectivityState.READY || current == null || !current.succeeded()) {
      return Future.failedFuture(CallFailure.unprocessed("endpoint " + key() + " is " + state + describeError()));
    }
    long started = load.callStarted();
    return GrpcCall.sayHello(vertx, current.result().grpc(), address, request, deadlineNanos, deadlineReason,
            cancellation)
        .andThen(ar -> {
          load.callEnded(started);
          outliers.callEnded(ar.succeeded());
        });
  }

  /**
   * Completes once READY, connecting first if IDLE; fails with the attempt's error if it fails, and at once
   * (with the last error) while TRANSIENT_FAILURE waits for its backoff. On {@link #context} only.
   */
  public Future<Void> awaitReady() {
    if (state == ConnectivityState.IDLE) {
      connectNow();
    }
    if (link == null) {
      return Future.failedFuture(CallFailure.unprocessed("endpoint " + key() + " is " + state));
    }
    return link.recover(err -> Future.failedFuture(CallFailure.unprocessed(lastError != null ? lastError
        : "endpoint " + key() + " is " + ConnectivityState.TRANSIENT_FAILURE))).mapEmpty();
  }

  /** Connects now if IDLE (the balancer keeps every endpoint connected). From any thread. */
  public void requestConnection() {
    context.runOnContext(v -> {
      if (state == ConnectivityState.IDLE) {
        connectNow();
      }
    });
  }

  /** Skips the backoff wait of an endpoint in TRANSIENT_FAILURE (grpc's resetConnectBackoff). From any thread. */
  public void resetBackoff() {
    context.runOnContext(v -> {
      backoff.reset();
      if (state == ConnectivityState.TRANSIENT_FAILURE && retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
        connectNow();
      }
    });
  }

  private void connectNow() {
    int current = ++attempt;
    nextAttemptAt = null;
    Promise<Link> connecting = Promise.promise();
    link = connecting.future();
    setState(ConnectivityState.CONNECTING);
    HttpClientAgent agent = agents.get();
    pendingAgent = agent;
    long handshakeTimer = vertx.setTimer(connectTimeoutMs,
        id -> connecting.tryFail(CallFailure.handshakeTimeout(connectTimeoutMs)));
    agent.connect(new HttpConnectOptions().setServer(address)).onComplete(ar -> {
      vertx.cancelTimer(handshakeTimer);
      if (ar.succeeded() && current == attempt && !connecting.future().isComplete()) {
        connecting.complete(link(agent, ar.result()));
      } else if (ar.succeeded()) {
        ar.result().close(); // too late (timed out) or superseded: nobody will use it
      } else {
        connecting.tryFail(CallFailure.connectFailed(ar.cause()));
      }
    });
    connecting.future().onComplete(ar -> {
      if (pendingAgent == agent) {
        pendingAgent = null;
      }
      if (ar.failed()) {
        agent.close(); // frees a half-open connection too (no handshake yet)
      }
      if (current != attempt || state == ConnectivityState.SHUTDOWN) {
        return; // superseded: only a failure can end a superseded attempt (success needs current == attempt)
      }
      if (ar.succeeded()) {
        backoff.reset();
        if (state == ConnectivityState.TRANSIENT_FAILURE) {
          LOG.info(() -> "endpoint " + key() + " READY again");
        }
        lastError = null;
        setState(ConnectivityState.READY);
      } else {
        failed(ar.cause());
      }
    });
  }

  private Link link(HttpClientAgent agent, HttpClientConnection connection) {
    opened.incrementAndGet();
    FlushBatching.install(connection); // many calls share this connection: one write per task, not per frame
    ClientResetLimits.lift(connection); // so that a deadline storm never makes it close itself
    Link fresh = new Link(agent, connection, GrpcClient.client(vertx, connection));
    connection.exceptionHandler(err -> lastError = CallFailure.of(err).reason()); // the calls report it; no log
    connection.closeHandler(v -> {
      agent.close();
      dropped(fresh, "connection closed");
    });
    connection.goAwayHandler(goAway -> dropped(fresh, "GOAWAY from the server")); // new calls need a new one
    return fresh;
  }

  /** A READY connection went away: back to IDLE, and connect again at once (its calls in flight end on it). */
  private void dropped(Link gone, String why) {
    if (state != ConnectivityState.READY || link == null || link.result() != gone) {
      return;
    }
    lastError = why;
    link = null;
    setState(ConnectivityState.IDLE);
    connectNow();
  }

  private void failed(Throwable error) {
    lastError = CallFailure.of(error).reason();
    long delay = backoff.nextDelayMs();
    nextAttemptAt = Instant.now().plusMillis(delay);
    if (state != ConnectivityState.TRANSIENT_FAILURE) { // one line on entering it, not one per attempt
      LOG.info(() -> "endpoint " + key() + " TRANSIENT_FAILURE: " + lastError + "; retrying with backoff, next in "
          + delay + " ms");
    }
    retryTimer = vertx.setTimer(delay, id -> {
      retryTimer = -1;
      if (state == ConnectivityState.TRANSIENT_FAILURE) {
        connectNow(); // stays TRANSIENT_FAILURE for the picker until this attempt is READY
      }
    });
    setState(ConnectivityState.TRANSIENT_FAILURE);
  }

  /** CONNECTING after a failure is reported as TRANSIENT_FAILURE: the endpoint is not usable yet. */
  private void setState(ConnectivityState next) {
    if (next == ConnectivityState.CONNECTING && state == ConnectivityState.TRANSIENT_FAILURE) {
      return;
    }
    if (next != state) {
      state = next;
      onStateChange.accept(this);
    }
  }

  /**
   * SHUTDOWN: no new connection; sends GOAWAY and closes once the calls in flight have ended (or the timeout
   * passed). Runs on the connection's own event loop, so no connection can be opened behind its back.
   */
  public Future<Void> shutdown(long timeoutMs) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      Future<Link> current = link;
      link = null;
      attempt++;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      nextAttemptAt = null;
      state = ConnectivityState.SHUTDOWN;
      if (pendingAgent != null) {
        pendingAgent.close(); // an attempt in progress: nobody will use it
        pendingAgent = null;
      }
      Future<Void> closing = current == null || !current.succeeded() ? Future.succeededFuture()
          : current.result().connection().shutdown(timeoutMs, TimeUnit.MILLISECONDS)
              .eventually(() -> current.result().agent().close());
      closing.recover(err -> Future.succeededFuture()).onComplete(done);
    });
    return done.future();
  }

  private String describeError() {
    String error = lastError;
    return error == null ? "" : " (" + error + ")";
  }

  public SocketAddress address() {
    return address;
  }

  public String key() {
    return address.host() + ":" + address.port();
  }

  public ConnectivityState state() {
    return state;
  }

  public Health health() {
    return new Health(state, lastError, nextAttemptAt);
  }

  public long connectionsOpened() {
    return opened.get();
  }

  public boolean isOpen() {
    return state == ConnectivityState.READY;
  }

  /** Calls in flight; read from another thread (/status) it may be a moment old. */
  public long callsInFlight() {
    return load.inFlight();
  }

  @Override
  public EndpointLoad load() {
    return load;
  }

  /** Outlier detection's counters and ejection; on {@link #context} only. */
  public OutlierTracker outliers() {
    return outliers;
  }
}

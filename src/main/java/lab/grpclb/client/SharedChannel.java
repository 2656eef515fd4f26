package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.balance.ConnectionBackoff;
import lab.grpclb.balance.ConnectivityState;
import lab.grpclb.balance.EndpointLoad;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.call.GrpcCall;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.HealthCheck;
import lab.grpclb.config.KeepAlive;

/**
 * "ClientWithReuseConn": one HTTP/2 connection, opened at start, carrying every call of every experiment. A
 * call made while it is not READY waits for the connection attempt, and fails with its error if it fails. When the
 * server sends the connection away (GOAWAY, as at its max connection age), a new one replaces it, and a call the
 * server never processed is sent again on it.
 */
public final class SharedChannel implements GreeterChannel {
  private final EndpointConnection connection;
  private final long callTimeoutMs;
  private final String deadlineReason;
  /** Calls sent again because the server never processed them; added to on the connection's context. */
  private final LongAdder retriedTransparently = new LongAdder();

  /** The client's zone its calls name to the pods (null: none). */
  private final String clientZone;

  public SharedChannel(Vertx vertx, SocketAddress target, long callTimeoutMs, long connectTimeoutMs,
                       KeepAlive keepAlive) {
    this(vertx, target, callTimeoutMs, connectTimeoutMs, keepAlive, null);
  }

  public SharedChannel(Vertx vertx, SocketAddress target, long callTimeoutMs, long connectTimeoutMs,
                       KeepAlive keepAlive, String clientZone) {
    this.clientZone = clientZone;
    this.callTimeoutMs = callTimeoutMs;
    this.deadlineReason = GrpcCall.deadlineReason(callTimeoutMs); // once, not a string per call
    Context context = Http2Client.newEventLoop(vertx);
    ClientKeepAlive pings = new ClientKeepAlive(keepAlive);
    this.connection = new EndpointConnection(context, new VertxScheduler(context),
        new Http2Connector(vertx, target, connectTimeoutMs, pings.userTimeoutMs()), target, connectTimeoutMs,
        callTimeoutMs, new ConnectionBackoff(), pings, new EndpointLoad(BalancerConfig.DEFAULT_EWMA_DECAY_MS,
            BalancerConfig.DEFAULT_EWMA_INITIAL_RTT_MS, System::nanoTime),
        HealthCheck.OFF); // a plain channel, as the reference has it: it trusts its one connection
    connection.start((state, error) -> {
      if (state == ConnectivityState.IDLE) {
        connection.requestConnection(); // dropped, or sent away: connect again at once
      }
    });
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    CallOptions options = CallOptions.within(callTimeoutMs, deadlineReason, cancellation).withClientZone(clientZone);
    if (Vertx.currentContext() == connection.context() && connection.state() == ConnectivityState.READY) {
      return send(request, options); // the usual case, no stage more
    }
    Promise<HelloReply> reply = Promise.promise();
    connection.context().runOnContext(v -> awaitReady(options).compose(ready -> send(request, options))
        .onComplete(reply));
    return reply.future();
  }

  /**
   * The call on the connection. One the server never processed (not written, its stream refused, or left out of a
   * GOAWAY) is sent again once, transparently (gRFC A6), once the connection that replaces the one that sent it away
   * is READY; any other failure is the call's (it may have run: only a retry policy could send it again).
   */
  private Future<HelloReply> send(HelloRequest request, CallOptions options) {
    return connection.call(GreeterGrpcClient.SayHello, request, options).recover(err -> {
      if (!CallFailure.of(err).unprocessed() || options.cancellation().reason() != null) {
        return Future.failedFuture(err);
      }
      return awaitReady(options).compose(ready -> {
        retriedTransparently.increment();
        return connection.call(GreeterGrpcClient.SayHello, request, options);
      });
    });
  }

  /** On the connection's context: READY, or its attempt's failure, within the call's deadline. */
  private Future<Void> awaitReady(CallOptions options) {
    long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(options.deadlineNanos() - System.nanoTime()));
    return connection.awaitReady().timeout(leftMs, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, deadlineReason) : err));
  }

  /** The connection is up (or its attempt has failed) before timing starts; a failed one is tried again now. */
  @Override
  public Future<Void> warmUp() {
    Promise<Void> ready = Promise.promise();
    connection.context().runOnContext(v -> {
      connection.resetBackoff();
      awaitReadyWithinTimeout().otherwiseEmpty().onComplete(ready);
    });
    return ready.future(); // calls will report a failure
  }

  /** On the connection's context: READY, or its attempt's failure, for no longer than one call would wait. */
  private Future<Void> awaitReadyWithinTimeout() {
    return connection.awaitReady().timeout(callTimeoutMs, TimeUnit.MILLISECONDS); // a hung handshake may take 20 s
  }

  @Override
  public List<String> endpoints() {
    return List.of(connection.key());
  }

  @Override
  public Retries retries() {
    return new Retries(retriedTransparently.sum(), 0);
  }

  @Override
  public Context preferredContext() {
    return connection.context();
  }

  @Override
  public long connectionsOpened() {
    return connection.connectionsOpened();
  }

  @Override
  public int connectionsOpen() {
    return connection.isOpen() ? 1 : 0;
  }

  @Override
  public Future<Void> close() {
    return connection.close();
  }
}

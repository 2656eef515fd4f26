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
 * call made while it is not READY waits for the connection attempt, and fails with its error if it fails.
 */
public final class SharedChannel implements GreeterChannel {
  private final EndpointConnection connection;
  private final long callTimeoutMs;
  private final String deadlineReason;

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
      return connection.call(GreeterGrpcClient.SayHello, request, options); // the usual case, no stage more
    }
    Promise<HelloReply> reply = Promise.promise();
    connection.context().runOnContext(v -> awaitReadyWithinTimeout()
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, deadlineReason) : err))
        .compose(ready -> connection.call(GreeterGrpcClient.SayHello, request, options))
        .onComplete(reply));
    return reply.future();
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

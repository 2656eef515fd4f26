package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import lab.grpclb.balance.ConnectivityState;

/**
 * "ClientWithReuseConn": one HTTP/2 connection, opened at start, carrying every call of every experiment. A
 * call made while it is not READY waits for the connection attempt, and fails with its error if it fails.
 */
public final class SharedChannel implements GreeterChannel {
  private final EndpointConnection connection;
  private final long callTimeoutMs;
  private final String deadlineReason;

  public SharedChannel(Vertx vertx, SocketAddress target, long callTimeoutMs, long connectTimeoutMs) {
    this.callTimeoutMs = callTimeoutMs;
    this.deadlineReason = GrpcCall.deadlineReason(callTimeoutMs); // once, not a string per call
    this.connection = new EndpointConnection(vertx, Http2Client.newEventLoop(vertx),
        () -> Http2Client.create(vertx, connectTimeoutMs), target, connectTimeoutMs,
        c -> { });
  }

  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    long deadline = System.nanoTime() + callTimeoutMs * 1_000_000;
    if (Vertx.currentContext() == connection.context() && connection.state() == ConnectivityState.READY) {
      return connection.sayHello(request, deadline, deadlineReason, cancellation); // the usual case, no stage more
    }
    Promise<HelloReply> reply = Promise.promise();
    connection.context().runOnContext(v -> awaitReadyWithinTimeout()
        .recover(err -> Future.failedFuture(err instanceof TimeoutException
            ? new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, deadlineReason) : err))
        .compose(ready -> connection.sayHello(request, deadline, deadlineReason, cancellation))
        .onComplete(reply));
    return reply.future();
  }

  /** The connection is up (or its attempt has failed) before timing starts; a failed one is tried again now. */
  @Override
  public Future<Void> warmUp() {
    connection.resetBackoff();
    Promise<Void> ready = Promise.promise();
    connection.context().runOnContext(v -> awaitReadyWithinTimeout().otherwiseEmpty().onComplete(ready));
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
    return connection.shutdown(0);
  }
}

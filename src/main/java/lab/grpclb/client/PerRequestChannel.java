package lab.grpclb.client;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import experiment.GreeterGrpcClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import lab.grpclb.call.CallFailure;
import lab.grpclb.call.CallOptions;
import lab.grpclb.call.Cancellation;
import lab.grpclb.call.GrpcCall;
import lab.grpclb.config.KeepAlive;

/**
 * "Client": every call dials its own new connection and closes it when the call ends, like a gRPC channel
 * created per request. The experiment runs at most maxOpenConnections of these calls at once, so a large n
 * queues calls instead of exhausting file descriptors.
 */
public final class PerRequestChannel implements GreeterChannel {
  private final Vertx vertx;
  private final HttpClientAgent agent;
  private final SocketAddress target;
  private final long callTimeoutMs;
  private final String deadlineReason;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();

  private final int maxOpenConnections;
  private final ClientKeepAlive keepAlive;

  /** The client's zone its calls name to the pods (null: none). */
  private final String clientZone;

  public PerRequestChannel(Vertx vertx, SocketAddress target, long callTimeoutMs, int maxOpenConnections,
                           KeepAlive keepAlive) {
    this(vertx, target, callTimeoutMs, maxOpenConnections, keepAlive, null);
  }

  public PerRequestChannel(Vertx vertx, SocketAddress target, long callTimeoutMs, int maxOpenConnections,
                           KeepAlive keepAlive, String clientZone) {
    this.vertx = vertx;
    this.clientZone = clientZone;
    this.maxOpenConnections = maxOpenConnections;
    this.keepAlive = new ClientKeepAlive(keepAlive);
    this.agent = Http2Client.create(vertx, callTimeoutMs, this.keepAlive.userTimeoutMs());
    this.target = target;
    this.callTimeoutMs = callTimeoutMs;
    this.deadlineReason = GrpcCall.deadlineReason(callTimeoutMs);
  }

  /**
   * The deadline runs from the call's start, connect included: a connect (or an HTTP/2 handshake that never
   * completes) that outlasts it fails the call DEADLINE_EXCEEDED, and a connection that comes too late is closed.
   */
  @Override
  public Future<HelloReply> sayHello(HelloRequest request, Cancellation cancellation) {
    if (cancellation.reason() != null) {
      return Future.failedFuture(cancellation.reason()); // no connection for a call that was cancelled unsent
    }
    long deadline = System.nanoTime() + callTimeoutMs * 1_000_000;
    Promise<HttpClientConnection> connected = Promise.promise();
    long timer = vertx.setTimer(callTimeoutMs, // a failure names where the call went, as GrpcCall's do
        id -> connected.tryFail(new CallFailure(GrpcStatus.DEADLINE_EXCEEDED, deadlineReason).at(target.hostAddress())));
    agent.connect(new HttpConnectOptions().setServer(target)).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded() && !connected.tryComplete(ar.result())) {
        ar.result().close(); // the call's deadline passed first
      } else if (ar.failed()) {
        connected.tryFail(CallFailure.of(ar.cause()).at(target.hostAddress()));
      }
    });
    return connected.future().compose(connection -> {
      opened.incrementAndGet();
      open.incrementAndGet();
      connection.closeHandler(v -> open.decrementAndGet());
      connection.exceptionHandler(err -> { }); // the call reports it; a log line per call would flood
      Future<HelloReply> reply = GrpcCall.call(vertx, GrpcClient.client(vertx, connection), target,
          GreeterGrpcClient.SayHello, request, new CallOptions(deadline, deadlineReason, cancellation).withClientZone(clientZone));
      return keepAlive.on() ? pinged(connection, reply) : reply.andThen(ar -> connection.close());
    });
  }

  /** The call's connection is pinged while the call waits, so a silent pod fails the call before its deadline. */
  private Future<HelloReply> pinged(HttpClientConnection connection, Future<HelloReply> reply) {
    String[] silent = new String[1];
    long started = System.nanoTime();
    KeepAlivePings pings = new KeepAlivePings(new VertxScheduler(vertx.getOrCreateContext()), keepAlive, () -> 1,
        () -> started, () -> connection.ping(Buffer.buffer(new byte[8])).mapEmpty(), why -> {
          silent[0] = why;
          connection.close(); // the call fails, saying why below
        });
    return reply.transform(ar -> {
      pings.stop();
      connection.close();
      return silent[0] != null && ar.failed() ? Future.failedFuture(new CallFailure(GrpcStatus.UNAVAILABLE, silent[0]))
          : ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause());
    });
  }

  @Override
  public Integer maxOpenConnections() {
    return maxOpenConnections;
  }

  @Override
  public List<String> endpoints() {
    return List.of(target.host() + ":" + target.port());
  }

  @Override
  public long connectionsOpened() {
    return opened.get();
  }

  @Override
  public int connectionsOpen() {
    return open.get();
  }

  @Override
  public Future<Void> close() {
    return agent.close();
  }
}

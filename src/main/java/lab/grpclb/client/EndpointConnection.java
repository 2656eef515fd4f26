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
import io.vertx.grpc.common.GrpcStatus;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import lab.grpclb.transport.FlushBatching;

/**
 * One long-lived HTTP/2 connection to one server address, carrying every call sent to it. It connects on
 * first use and again after the connection drops; it never opens a second one while the first is up.
 * The connection lives on the event-loop context it is given and calls are started there: a call started
 * from another thread costs Vert.x cross-thread queues per stream (several KB each) and wake-ups.
 */
public final class EndpointConnection {
  private final Vertx vertx;
  private final Context context;
  private final HttpClientAgent agent;
  private final SocketAddress address;
  private final long callTimeoutMs;
  /** Written only on {@link #context}; volatile so that {@link #isOpen()} can be read from anywhere. */
  private volatile Future<Link> link;
  private boolean closed;
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();

  private record Link(HttpClientConnection connection, GrpcClient grpc) {
  }

  public EndpointConnection(Vertx vertx, Context context, HttpClientAgent agent, SocketAddress address,
                            long callTimeoutMs) {
    this.vertx = vertx;
    this.context = context;
    this.agent = agent;
    this.address = address;
    this.callTimeoutMs = callTimeoutMs;
  }

  public Future<HelloReply> sayHello(HelloRequest request) {
    if (Vertx.currentContext() == context) {
      return call(request);
    }
    Promise<HelloReply> reply = Promise.promise();
    context.runOnContext(v -> call(request).onComplete(reply));
    return reply.future();
  }

  /** The event loop this connection lives on; callers that can should start calls from it. */
  public Context context() {
    return context;
  }

  private Future<HelloReply> call(HelloRequest request) {
    inFlight.incrementAndGet();
    Future<Link> current = link();
    Future<HelloReply> reply = current.succeeded()
        ? GrpcCall.sayHello(vertx, current.result().grpc(), address, request, callTimeoutMs) // the usual case, two stages fewer
        : current.recover(err -> Future.failedFuture(CallFailure.of(err)))
            .compose(l -> GrpcCall.sayHello(vertx, l.grpc(), address, request, callTimeoutMs));
    return reply.andThen(ar -> inFlight.decrementAndGet());
  }

  /** Opens the connection now (if it is not up), so that the first calls don't wait for the handshake. */
  public Future<Void> connect() {
    Promise<Void> connected = Promise.promise();
    context.runOnContext(v -> link().<Void>mapEmpty().onComplete(connected));
    return connected.future();
  }

  /** The connection, opened if there is none (or the last attempt failed). On {@link #context} only. */
  private Future<Link> link() {
    if (closed) {
      return Future.failedFuture(new CallFailure(GrpcStatus.UNAVAILABLE, "endpoint removed"));
    }
    if (link == null || link.failed()) {
      link = open();
    }
    return link;
  }

  private Future<Link> open() {
    return agent.connect(new HttpConnectOptions().setServer(address)).map(connection -> {
      opened.incrementAndGet();
      FlushBatching.install(connection); // many calls share this connection: one write per task, not per frame
      Link fresh = new Link(connection, GrpcClient.client(vertx, connection));
      connection.closeHandler(v -> forget(fresh));
      connection.goAwayHandler(goAway -> forget(fresh)); // the server is leaving: new calls need a new connection
      return fresh;
    });
  }

  /** The connection dropped (its handlers run on {@link #context}): the next call opens a new one. */
  private void forget(Link dropped) {
    if (link != null && link.result() == dropped) {
      link = null;
    }
  }

  /**
   * Sends GOAWAY and closes once the calls in flight have ended (or the timeout passed). Runs on the
   * connection's own event loop, like {@link #link()}, so no connection can be opened behind its back.
   */
  public Future<Void> shutdown(long timeoutMs) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      Future<Link> current = link;
      link = null;
      Future<Void> closing = current == null ? Future.succeededFuture()
          : current.compose(l -> l.connection().shutdown(timeoutMs, TimeUnit.MILLISECONDS), err -> Future.succeededFuture());
      closing.onComplete(done);
    });
    return done.future();
  }

  public SocketAddress address() {
    return address;
  }

  public long connectionsOpened() {
    return opened.get();
  }

  public boolean isOpen() {
    Future<Link> current = link;
    return current != null && current.succeeded();
  }

  public long callsInFlight() {
    return inFlight.get();
  }
}

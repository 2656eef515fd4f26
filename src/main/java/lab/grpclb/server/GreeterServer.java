package lab.grpclb.server;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.health.HealthService;
import io.vertx.grpc.server.GrpcServer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.transport.FlushBatching;

/**
 * One greeter "pod": an HTTP/2 server carrying the Greeter and the standard gRPC health service, and its
 * graceful drain (NOT_SERVING, GOAWAY, wait for in-flight calls).
 */
public final class GreeterServer {
  private static final Logger LOG = Logger.getLogger(GreeterServer.class.getName());
  /** Streams a client may open on one connection: enough that no call ever queues behind the limit. */
  static final long MAX_CONCURRENT_STREAMS = 1_000_000;
  static final int CONNECTION_WINDOW = 16 << 20;

  private final Vertx vertx;
  private final ServerConfig config;
  private final GreeterService greeter;
  private static final long DRAIN_POLL_MS = 5;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private HttpServer httpServer;

  public GreeterServer(Vertx vertx, ServerConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.greeter = new GreeterService(vertx, config.podIp(), config.delayMs());
  }

  public Future<GreeterServer> start() {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.addService(greeter);
    grpc.addService(HealthService.create(vertx)
        .register("", this::serving)
        .register(GreeterService.SERVICE_NAME, this::serving));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS));
    httpServer = vertx.createHttpServer(options).requestHandler(grpc).connectionHandler(this::accepted);
    return httpServer.listen()
        .recover(err -> ListenException.naming("--host/--port", config.host(), config.port(), err))
        .map(this);
  }

  private void accepted(HttpConnection connection) {
    if (greeter.draining()) {
      connection.close(); // a draining pod takes no new connections
      return;
    }
    FlushBatching.install(connection);
    connections.add(connection);
    connection.closeHandler(v -> connections.remove(connection));
  }

  private Future<Boolean> serving() {
    return Future.succeededFuture(!greeter.draining());
  }

  /**
   * What SIGTERM triggers: health turns NOT_SERVING, the server sends GOAWAY and refuses new connections,
   * and in-flight calls get up to the drain timeout to finish.
   */
  public Future<Void> drain() {
    return drain(config.drainTimeoutMs());
  }

  public Future<Void> drain(long timeoutMs) {
    greeter.drain();
    LOG.info(() -> "pod " + config.podIp() + ": health NOT_SERVING");
    // A GOAWAY naming the largest stream id announces the shutdown without refusing any stream (RFC 9113
    // 6.8); clients stop opening streams here, and calls that still arrive get UNAVAILABLE to retry elsewhere.
    connections.forEach(c -> c.goAway(0, Integer.MAX_VALUE));
    LOG.info(() -> "pod " + config.podIp() + ": GOAWAY sent on " + connections.size() + " connections, refusing new "
        + "connections and calls, draining " + greeter.callsInFlight() + " in-flight calls (timeout " + timeoutMs + " ms)");
    Promise<Void> drained = Promise.promise();
    awaitNoCallsInFlight(System.nanoTime() + timeoutMs * 1_000_000, drained);
    return drained.future()
        .compose(v -> httpServer.close()) // nothing is in flight any more (or the timeout passed)
        .onComplete(ar -> LOG.info(() -> "pod " + config.podIp() + ": drained, " + greeter.callsInFlight()
            + " calls left unfinished, " + greeter.callsServed() + " served in all"));
  }

  /**
   * Polls rather than relying on the HTTP server's own graceful shutdown: with a Vert.x client on the other
   * end, that closed connections at once and failed the calls in flight (seen with Vert.x 5.0.7).
   */
  private void awaitNoCallsInFlight(long deadlineNanos, Promise<Void> drained) {
    if (greeter.callsInFlight() == 0 || System.nanoTime() >= deadlineNanos) {
      drained.complete();
    } else {
      vertx.setTimer(DRAIN_POLL_MS, id -> awaitNoCallsInFlight(deadlineNanos, drained));
    }
  }

  /** Stops at once, failing calls in flight: what a crashed pod looks like to its clients. */
  public Future<Void> kill() {
    greeter.drain();
    return httpServer.close();
  }

  public boolean draining() {
    return greeter.draining();
  }

  public int port() {
    return httpServer.actualPort();
  }

  public GreeterService greeter() {
    return greeter;
  }

  public ServerConfig config() {
    return config;
  }
}

package lab.grpclb.server;

import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.vertx.grpc.server.GrpcServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.MaxConnectionAge;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.transport.FlushBatching;
import lab.grpclb.transport.KnownVertxNoise;
import lab.grpclb.transport.StreamQueues;
import lab.grpclb.transport.VertxChannels;

/**
 * One greeter "pod": an HTTP/2 server carrying the Greeter, the standard gRPC health service (pushed to Watch
 * streams at each change) and ORCA's load reports (per call in the trailers, and out of band), its graceful drain
 * (NOT_SERVING, GOAWAY, wait for in-flight calls), and its connections' age limit (MAX_CONNECTION_AGE).
 */
public final class GreeterServer {
  private static final Logger LOG = Logger.getLogger(GreeterServer.class.getName());
  static final int CONNECTION_WINDOW = 16 << 20;
  /**
   * HTTP/2 RST-flood protection (CVE-2023-44487, "rapid reset"), sized for this lab, where mass cancellation
   * is normal traffic: a deadline storm cancels every call in flight on a connection at once, and one
   * connection can carry up to a client's in-flight cap (10 000 to 1 000 000 calls). Vert.x's default, 200
   * resets in 30 s, closed the shared connection under such a storm and failed every healthy call on it.
   * A cancelled call costs this server only its stream's bookkeeping (its timer is cancelled, nothing is
   * written), so a reset gains an attacker nothing over an ordinary call; the limit still cuts off a client
   * resetting streams faster than any real one sends calls (over 100 000 a second, sustained for 10 s).
   * Netty applies the same limit to resets the server sends (REFUSED_STREAM while draining).
   */
  static final int MAX_RESETS_PER_WINDOW = 1_000_000;
  static final int RESET_WINDOW_SECONDS = 10;
  /** The path of SayHello: while draining it is refused before any processing, so clients retry it elsewhere. */
  private static final String SAY_HELLO_PATH = "/" + GreeterService.SERVICE_NAME.fullyQualifiedName() + "/SayHello";
  /** HTTP/2 REFUSED_STREAM (RFC 9113 8.7): the stream was not processed; any client may send it again. */
  private static final long REFUSED_STREAM = 7;
  /** Calls that ended before their reply are logged at most this often, as one line with the count. */
  static final long COUNTERS_LOG_PERIOD_MS = 60_000;
  private static final long DRAIN_POLL_MS = 5;
  /** The load window's tick (see {@link LoadWindow}). */
  static final long LOAD_TICK_MS = 1_000;
  /** How long the drain waits for its PINGs to be answered: a live peer answers within milliseconds. */
  static final long PING_WAIT_MS = 1_000;

  private final Vertx vertx;
  private final ServerConfig config;
  private final GreeterService greeter;
  /** Health for "" (the whole server) and the Greeter; NOT_SERVING from the drain on. */
  private final PodHealth health = new PodHealth(Set.of("", GreeterService.SERVICE_NAME.fullyQualifiedName()));
  private final Map<HttpConnection, ServerConnection> connections = new ConcurrentHashMap<>();
  private volatile MaxConnectionAge maxConnectionAge;
  private final LongAdder agedOut = new LongAdder();
  /** Connections sent away with GOAWAY too_many_pings; read by metrics. */
  private final LongAdder tooManyPings = new LongAdder();
  private HttpServer httpServer;
  private long countersLogTimer = -1;
  private long loadTimer = -1;
  /** The event loop every call of this pod runs on (its listen context's); its queue is touched there only. */
  private Context loop;
  /** Set once by drain() or kill(): from then on, health is NOT_SERVING and new calls and connections are refused. */
  private volatile boolean draining;
  private long earlyEndsLogged;
  private final LongAdder rejected = new LongAdder();
  private long rejectedLogged;
  /** Set while the pod is frozen ({@link #freeze}), null otherwise. */
  private volatile PodFreeze freeze;

  static {
    KnownVertxNoise.silence(); // a vanished client must not flood this pod's log
  }

  public GreeterServer(Vertx vertx, ServerConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.greeter = new GreeterService(vertx, config.podIp(), config.delayMs(), config.errors(), config.capacity(),
        config.warmUp());
    this.maxConnectionAge = config.maxConnectionAge();
  }

  /**
   * Listens from a context of its own making, so that the pod knows the event loop its calls run on (the server's
   * streams run on its listen context) and can change its queue there.
   */
  public Future<GreeterServer> start() {
    loop = vertx.getOrCreateContext();
    Promise<GreeterServer> started = Promise.promise();
    loop.runOnContext(v -> {
      try {
        listen().onComplete(started);
      } catch (RuntimeException e) { // a bad option: the caller hears it, as it did before the hop
        started.fail(e);
      }
    });
    return started.future();
  }

  private Future<GreeterServer> listen() {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.addService(greeter);
    grpc.addService(new HealthGrpcService(health));
    grpc.addService(new OrcaGrpcService(greeter.orca()::report));
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW)
        // streams a client may open on one connection (SETTINGS_MAX_CONCURRENT_STREAMS): past them it queues calls on
        // its side, so that one client cannot hold more calls here than the heap carries (ServerConfig.HEAP_PER_STREAM)
        .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(config.maxConcurrentStreams()))
        .setHttp2RstFloodMaxRstFramePerWindow(MAX_RESETS_PER_WINDOW)
        .setHttp2RstFloodWindowDuration(RESET_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
    httpServer = vertx.createHttpServer(options)
        .requestHandler(request -> route(grpc, request))
        .connectionHandler(this::accepted)
        .exceptionHandler(err -> rejected.increment()); // not HTTP/2, or broken before it was: counted, not logged
    return httpServer.listen()
        .recover(err -> ListenException.naming("--host/--port", config.host(), config.port(), err))
        .onSuccess(s -> {
          countersLogTimer = vertx.setPeriodic(COUNTERS_LOG_PERIOD_MS, id -> logCounters());
          loadTimer = vertx.setPeriodic(LOAD_TICK_MS, id -> greeter.tickLoad());
        })
        .map(this);
  }

  /**
   * A draining pod refuses new SayHello calls with REFUSED_STREAM: the stream was not processed, so a gRPC
   * client (ours, grpc-java, grpc-go) sends it again elsewhere without any retry policy. Health still answers.
   */
  private void route(GrpcServer grpc, HttpServerRequest request) {
    if (draining && SAY_HELLO_PATH.equals(request.path())) {
      request.response().reset(REFUSED_STREAM);
      return;
    }
    StreamQueues.shrink(request); // a 48-byte queue held per call waiting for its reply, not Vert.x's 4.9 KB
    ServerConnection connection = connections.get(request.connection());
    if (connection != null) {
      connection.callStarted(request.response());
      if (SAY_HELLO_PATH.equals(request.path())) {
        connection.greeted();
      }
    }
    grpc.handle(request);
  }

  /** At most once a minute: the calls that ended before their reply, and the connections dropped unspoken. */
  private synchronized void logCounters() {
    earlyEndsLogged = logGrowth(greeter.callsEndedEarly(), earlyEndsLogged,
        "calls ended before their reply in the last minute (cancelled by the client, past their deadline, or the client gone)");
    rejectedLogged = logGrowth(rejected.sum(), rejectedLogged,
        "connections dropped in the last minute before they spoke HTTP/2 (not HTTP/2, or broken)");
  }

  private long logGrowth(long total, long logged, String what) {
    if (total > logged) {
      LOG.info(() -> "pod " + config.podIp() + ": " + (total - logged) + " " + what + ", " + total + " in all");
    }
    return total;
  }

  private void accepted(HttpConnection connection) {
    if (draining) {
      // accepted as the listening socket closed: last stream 0 tells the client none of its calls was processed
      connection.goAway(0, 0);
      connection.close();
      return;
    }
    FlushBatching.install(connection);
    connection.exceptionHandler(err -> { }); // a client that resets or vanishes is normal here: no log per connection
    ServerConnection accepted = new ServerConnection(vertx, connection, Vertx.currentContext(), this::draining,
        agedOut::increment, config.pings(), tooManyPings::increment);
    connections.put(connection, accepted);
    PodFreeze frozen = freeze; // read after the put: a freeze racing this accept sees the connection or is seen
    if (frozen != null) {
      frozen.add(VertxChannels.of(connection));
    }
    connection.closeHandler(v -> {
      connections.remove(connection);
      accepted.closed();
    });
    accepted.limitAge(maxConnectionAge);
  }

  /**
   * Sets MAX_CONNECTION_AGE from now on, for open connections too (each one's age counts from its accept): a
   * connection already older goes away at once.
   */
  public void maxConnectionAge(MaxConnectionAge limit) {
    maxConnectionAge = limit;
    connections.values().forEach(c -> c.limitAge(limit));
  }

  public MaxConnectionAge maxConnectionAge() {
    return maxConnectionAge;
  }

  /**
   * Gives the pod a capacity and service time from now on, on its event loop; completes once it applies. Calls in
   * service finish and calls waiting keep their place; a larger capacity serves waiting calls at once.
   */
  public Future<Void> capacity(Capacity limit) {
    Promise<Void> applied = Promise.promise();
    loop.runOnContext(v -> {
      greeter.capacity(limit);
      applied.complete();
    });
    return applied.future();
  }

  /** The pod's load now and over its recent window: the figures of an ORCA load report (gRFC A51). */
  public ServerLoad load() {
    return greeter.load();
  }

  /** HTTP/2 connections open on this pod now, from its side. */
  public int connectionsOpen() {
    return connections.size();
  }

  /**
   * Open connections that carried a SayHello since {@code nanos} (System.nanoTime()): an experiment's connections
   * to this pod, told from the other types' idle ones (local mode's fleet, from the pods' side).
   */
  public int connectionsGreetedSince(long nanos) {
    return (int) connections.values().stream().filter(c -> c.greetedSince(nanos)).count();
  }

  /** Connections sent away for pinging too often (gRFC A8). */
  public long connectionsSentAwayForPings() {
    return tooManyPings.sum();
  }

  /** Connections told to go away because they reached their age. */
  public long connectionsAgedOut() {
    return agedOut.sum();
  }

  /**
   * Turns every service's health SERVING or NOT_SERVING without a drain, as a pod that knows it cannot serve does:
   * Watch streams hear it at once (gRFC A17 clients stop picking it); the connections and their calls go on.
   */
  public void health(ServingStatus status) {
    if (status != ServingStatus.SERVING && status != ServingStatus.NOT_SERVING) {
      throw new IllegalArgumentException("a pod's health is SERVING or NOT_SERVING, not " + status);
    }
    health.setAll(status);
    LOG.info(() -> "pod " + config.podIp() + ": health " + status + (draining ? " (draining: NOT_SERVING still)" : ""));
  }

  /** The whole server's health now: NOT_SERVING once draining. */
  public ServingStatus health() {
    return health.status("");
  }

  /** Health Watch streams open on this pod now. */
  public int healthWatchers() {
    return health.watchers();
  }

  /**
   * What SIGTERM triggers: health turns NOT_SERVING, the server sends GOAWAY and refuses new connections,
   * and in-flight calls get up to the drain timeout to finish.
   */
  public Future<Void> drain() {
    return drain(config.drainTimeoutMs());
  }

  public Future<Void> drain(long timeoutMs) {
    draining = true;
    health.drain();
    LOG.info(() -> "pod " + config.podIp() + ": health NOT_SERVING");
    stopListening();
    // Clients stop opening streams here, and calls that still arrive get REFUSED_STREAM to retry elsewhere.
    Future<Void> announced = Future.join(connections.values().stream()
        .map(c -> c.goAwayAndPing(Math.min(timeoutMs, PING_WAIT_MS))).toList()).mapEmpty();
    LOG.info(() -> "pod " + config.podIp() + ": GOAWAY sent on " + connections.size() + " connections, refusing new "
        + "connections and calls, draining " + greeter.callsInFlight() + " in-flight calls (timeout " + timeoutMs + " ms)");
    long deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000;
    Promise<Void> drained = Promise.promise();
    announced.onComplete(v -> awaitNoCallsInFlight(deadlineNanos, drained));
    return drained.future()
        .compose(v -> close()) // nothing is in flight any more (or the timeout passed)
        .onComplete(ar -> LOG.info(() -> "pod " + config.podIp() + ": drained, " + greeter.callsInFlight()
            + " calls left unfinished, " + greeter.callsServed() + " served in all"));
  }

  /**
   * Closes the listening socket, as grpc-java's and grpc-go's servers do on shutdown: a new connection is refused
   * (ECONNREFUSED), so a client knows it sent nothing. Accepting and then closing let the HTTP/2 handshake finish
   * (the server's SETTINGS go out first), and calls written on it died as "broken pipe", which nobody may resend.
   */
  private void stopListening() {
    Channel listening = VertxChannels.listening(httpServer);
    if (listening == null) {
      LOG.warning(() -> "pod " + config.podIp() + ": cannot reach its listening socket (Vert.x internals changed): "
          + "draining, it still accepts connections and sends each one away at once");
    } else {
      listening.close();
    }
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

  /**
   * Freezes the pod (see {@link PodFreeze}): it stops accepting, reading and writing, every socket open. Completes
   * once every socket is silent; fails when it is frozen already.
   */
  public synchronized Future<Void> freeze() {
    if (freeze != null) {
      return Future.failedFuture(new IllegalStateException("pod " + config.podIp() + " is frozen already"));
    }
    Channel listening = VertxChannels.listening(httpServer);
    if (listening == null) {
      LOG.warning(() -> "pod " + config.podIp() + ": cannot reach its listening socket (Vert.x internals changed): "
          + "frozen, it still accepts connections, and freezes each one after its HTTP/2 handshake");
    }
    freeze = new PodFreeze(listening);
    connections.keySet().forEach(connection -> freeze.add(VertxChannels.of(connection)));
    int open = connections.size();
    return freeze.silent().onSuccess(v -> LOG.info(() -> "pod " + config.podIp() + ": frozen, " + open
        + " connections silent, not accepting; " + greeter.callsInFlight() + " calls in flight"));
  }

  /** Resumes a frozen pod: it accepts, reads and writes again, and the replies it held go out (late). */
  public synchronized Future<Void> unfreeze() {
    PodFreeze frozen = freeze;
    if (frozen == null) {
      return Future.failedFuture(new IllegalStateException("pod " + config.podIp() + " is not frozen"));
    }
    freeze = null;
    return frozen.thaw().onSuccess(v -> LOG.info(() -> "pod " + config.podIp() + ": unfrozen after "
        + frozen.frozenMs() + " ms, its held replies go out"));
  }

  public boolean frozen() {
    return freeze != null;
  }

  /** Stops at once, failing calls in flight: what a crashed pod looks like to its clients. */
  public Future<Void> kill() {
    draining = true;
    return close();
  }

  private Future<Void> close() {
    vertx.cancelTimer(countersLogTimer);
    vertx.cancelTimer(loadTimer);
    logCounters();
    PodFreeze frozen;
    synchronized (this) {
      frozen = freeze;
      freeze = null;
    }
    // a frozen pod's held bytes never leave; its sockets close as any process's do when it ends
    return (frozen == null ? Future.<Void>succeededFuture() : frozen.discard()).compose(v -> httpServer.close())
        .onComplete(ar -> greeter.close()); // after the connections: their calls have ended, nothing burns for them
  }

  public boolean draining() {
    return draining;
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

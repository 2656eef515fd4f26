package lab.grpclb.mode.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.ErrorInjection;
import lab.grpclb.config.HealthCheck;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.experiment.ExperimentPlan;
import lab.grpclb.experiment.ExperimentRunner;
import lab.grpclb.experiment.FirerPool;
import lab.grpclb.server.GreeterService;

/**
 * Runs the client's call path through the JIT before it serves, so a user's first experiment runs about as fast
 * as the later ones (without it, the first n = 10 000 after a JVM start took 4-5x a warm one). Bursts go through
 * a shared channel (ClientWithReuseConn's) and a balancer over 3 endpoints (ClientWithKubeResolver's) to
 * greeters in this JVM on 127.0.0.1, on the experiment runner itself; then all of it closes. No call reaches a
 * real server, the metrics or the experiment history.
 */
public final class JitWarmUp {
  private static final Logger LOG = Logger.getLogger(JitWarmUp.class.getName());
  /** Calls per burst: thousands in flight, as in the experiments, so the same paths get hot. */
  static final int BURST = 10_000;
  /** The greeters' reply delay: long enough for a burst to be in flight at once. */
  static final int DELAY_MS = 20;
  private static final int SERVERS = 3;
  private static final long CALL_TIMEOUT_MS = 10_000;
  /** What its runs are called in the runner's log lines. */
  static final String LABEL = "JIT warm-up";
  /** After the calls, the compilers finish what they queued: until they were idle this long, at most SETTLE_MAX_MS. */
  static final long SETTLE_QUIET_MS = 250;
  static final long SETTLE_MAX_MS = 3_000;
  /** How often a burst checks whether the process is stopping (Ctrl-C during the warm-up). */
  static final long STOP_POLL_MS = 100;

  private final Vertx vertx;
  private final FirerPool pool;
  private final int calls;
  private final BooleanSupplier stopping;
  private final List<HttpServer> servers = new ArrayList<>();
  private final List<GreeterChannel> channels = new ArrayList<>();

  private JitWarmUp(Vertx vertx, FirerPool pool, int calls, BooleanSupplier stopping) {
    this.vertx = vertx;
    this.pool = pool;
    this.calls = calls;
    this.stopping = stopping;
  }

  /**
   * Completes once {@code calls} calls are done (0: at once) and everything it opened is closed, or soon after
   * {@code stopping} turns true (a signal during startup); never fails.
   */
  static Future<Void> run(Vertx vertx, FirerPool pool, int calls, BooleanSupplier stopping) {
    if (calls <= 0) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    LOG.info(() -> LABEL + ": " + calls + " calls to in-process greeters before experiments run"
        + " (--jit-warmup-calls 0 skips it)");
    JitWarmUp warmUp = new JitWarmUp(vertx, pool, calls, stopping);
    return warmUp.startServers().compose(warmUp::fire)
        .eventually(warmUp::closeAll)
        .compose(failed -> warmUp.compilersSettled().map(failed))
        .onSuccess(failed -> LOG.info(() -> LABEL + " done in " + (System.nanoTime() - start) / 1_000_000 + " ms"
            + (failed > 0 ? ", " + failed + " calls failed" : "")))
        .onFailure(err -> {
          if (stopping.getAsBoolean()) {
            LOG.info(() -> LABEL + " cut short by the stop after " + (System.nanoTime() - start) / 1_000_000 + " ms");
          } else {
            LOG.warning(() -> LABEL + " skipped: " + err.getMessage());
          }
        })
        .<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<List<SocketAddress>> startServers() {
    List<Future<HttpServer>> started = new ArrayList<>();
    for (int i = 0; i < SERVERS; i++) {
      GrpcServer grpc = GrpcServer.server(vertx);
      grpc.addService(new GreeterService(vertx, "127.0.0.1", DELAY_MS, ErrorInjection.NONE));
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
          .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(2L * BURST))).requestHandler(grpc);
      servers.add(server);
      started.add(server.listen());
    }
    return Future.all(started).map(all -> servers.stream()
        .map(s -> SocketAddress.inetSocketAddress(s.actualPort(), "127.0.0.1")).toList());
  }

  /** Alternates bursts between the two channels until the calls are done; completes with how many failed. */
  private Future<Long> fire(List<SocketAddress> addresses) {
    GreeterChannel shared = new SharedChannel(vertx, addresses.get(0), CALL_TIMEOUT_MS, CALL_TIMEOUT_MS, KeepAlive.OFF);
    BalancedChannel balanced = new BalancedChannel(vertx, CALL_TIMEOUT_MS, CALL_TIMEOUT_MS, KeepAlive.OFF,
        AttemptPolicy.DEFAULT, BalancerConfig.DEFAULT.withHealthCheck(HealthCheck.OFF), () -> null); // no health served
    balanced.endpointsChanged(endpoints(addresses));
    channels.add(shared);
    channels.add(balanced);
    ExperimentRunner runner = new ExperimentRunner(vertx, pool);
    long stopPoll = vertx.setPeriodic(STOP_POLL_MS, id -> {
      if (stopping.getAsBoolean()) {
        runner.drain(0); // the burst ends now and no other starts
      }
    });
    Future<Long> failed = Future.succeededFuture(0L);
    for (int done = 0; done < calls; done += BURST) {
      GreeterChannel channel = channels.get((done / BURST) % channels.size());
      ExperimentPlan burst = new ExperimentPlan(LABEL, Math.min(BURST, calls - done), BURST, null);
      failed = failed.compose(sum -> runner.run(burst, channel).map(report -> sum + report.failed()));
    }
    return failed.eventually(() -> {
      vertx.cancelTimer(stopPoll);
      return Future.succeededFuture();
    });
  }

  private static EndpointSet endpoints(List<SocketAddress> addresses) {
    List<Endpoint> endpoints = addresses.stream()
        .map(a -> new Endpoint(a.host(), a.port(), "warm-up-" + a.port(), true, true, false)).toList();
    return new EndpointSet(endpoints, endpoints, false);
  }

  /**
   * Completes once the JIT compilers' total time stopped growing for {@link #SETTLE_QUIET_MS} (their queue is
   * done), or after {@link #SETTLE_MAX_MS}: on 2 cores, a first experiment that starts while C2 still compiles
   * shares the cores with it.
   */
  private Future<Void> compilersSettled() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return Future.succeededFuture();
    }
    Promise<Void> settled = Promise.promise();
    long deadline = System.nanoTime() + SETTLE_MAX_MS * 1_000_000;
    long[] last = {jit.getTotalCompilationTime()};
    vertx.setPeriodic(SETTLE_QUIET_MS, id -> {
      long now = jit.getTotalCompilationTime();
      if (now == last[0] || System.nanoTime() > deadline || stopping.getAsBoolean()) {
        vertx.cancelTimer(id);
        settled.complete();
      }
      last[0] = now;
    });
    return settled.future();
  }

  private Future<Void> closeAll() {
    List<Future<Void>> closed = new ArrayList<>();
    channels.forEach(channel -> closed.add(channel.close()));
    servers.forEach(server -> closed.add(server.close()));
    return Future.join(closed).<Void>mapEmpty().otherwiseEmpty();
  }
}

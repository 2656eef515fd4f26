package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.experiment.ExperimentClient;
import lab.grpclb.local.LocalMode;
import lab.grpclb.metrics.ServerMetrics;
import lab.grpclb.report.ReportCommand;
import lab.grpclb.report.ReportOptions;
import lab.grpclb.server.GreeterServer;

/** {@code java -jar grpc-lb-lab.jar --mode server|client|local [flags]}. */
public final class Main {
  static final int EXIT_USAGE = 2;
  static final String USAGE = """
      usage: java -jar grpc-lb-lab.jar --mode server|client|local [--log-format text|json]
             [--transport native|nio (epoll where it loads, else NIO)] [flags]
        --mode server  [--host 0.0.0.0] [--port 50051] [--pod-ip IP (env MY_POD_IP)]
                       [--delay-ms 500 (env GREETER_DELAY_MS)] [--drain-timeout-ms 20000]
                       [--error-rate 0] [--error-status UNAVAILABLE]   (fail that share of calls on purpose)
                       [--max-connection-age-ms 0 (off)] [--max-connection-age-grace-ms 10000]
                       [--metrics-port 9090 (0 = off)]   (GET /metrics for Prometheus)
        --mode client  [--http-port 8080] [--target greeter-server:50051 (env GREETER_TARGET)]
                       [--call-timeout-ms 30000] [--max-n 1000000] [--max-connections N] [--max-in-flight N]
                       [--connect-timeout-ms 20000] [--drain-timeout-ms 10000] [--max-duration-s 600]
                       [--jit-warmup-calls 40000]   (to in-process greeters before it listens; 0 = off)
                       [--retry-policy none|idempotent] [--max-attempts 2]   (ClientWithKubeResolver)
                       [--kube-api URL] [--kube-token-file F] [--kube-ca-file F] [--namespace NS]
                       [--service greeter-server] [--service-port grpc]   (ClientWithKubeResolver)
                       [--lb round_robin|least_request|peak_ewma] [--ewma-decay-ms 10000]
                       [--ewma-initial-rtt-ms 30] [--outlier-ejection] [--ejection-interval-ms 10000]
                       [--ejection-threshold 85] [--ejection-base-ms 30000] [--ejection-min-hosts 5]
                       [--ejection-request-volume 50]   (ClientWithKubeResolver's balancer)
                       [--dns-name greeter-server-headless.NS.svc.cluster.local] [--dns-server IP[:port]]
                       [--dns-refresh-s 30] [--dns-min-interval-s 30]   (ClientWithDnsResolver)
                       [--api-token T (env LAB_API_TOKEN)]   (every route but /healthz, /metrics needs Bearer T)
                       [--allowed-hosts a,b]   (Host names the API answers besides loopback ones)
        --mode local   [--replicas 3] [--delay-ms 500] [--http-port 8080] [--port 50051] [--api-port 6443]
                       [--dns-port 5353] [--kubeconfig out/kubeconfig]: written for kubectl while it runs
                       [--report [--out out] [--runs 3]]: run the write-up's experiments, write out/report.md
                       and .html, exit (and the client's --call-timeout-ms, --max-n, --max-connections,
                       --max-in-flight, --connect-timeout-ms, --drain-timeout-ms, --max-duration-s,
                       --jit-warmup-calls, --retry-policy, --max-attempts, the balancer's --lb, --ewma-*,
                       --outlier-ejection and --ejection-* flags, the --dns-* flags, --api-token and
                       --allowed-hosts)""";

  /** Calls the client runs through its JIT before it listens (see JitWarmUp). */
  static final int DEFAULT_JIT_WARMUP_CALLS = 40_000;

  /** How long a signal during startup waits for it to finish before exiting without a drain. */
  static final long STARTUP_WAIT_MS = 10_000;

  /** A SIGTERM or SIGINT arrived: a start still in progress cuts its JIT warm-up short. */
  private static volatile boolean terminating;

  private Main() {
  }

  private static Running startedWithin(java.util.concurrent.CompletableFuture<Running> started, long ms) {
    try {
      return started.get(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  public static void main(String[] args) {
    if (printedHelp(args, System.out)) {
      return; // nothing started: exit 0
    }
    Logging.configure();
    try {
      // Installed before starting, so that a signal during startup still ends the process cleanly: it waits (on the
      // signal's own thread) for the start to finish, then drains what started (a server listens before its
      // metrics are up, and may already have calls).
      java.util.concurrent.CompletableFuture<Running> started = new java.util.concurrent.CompletableFuture<>();
      Signals.onTerminate(() -> {
        terminating = true;
        Running running = startedWithin(started, STARTUP_WAIT_MS);
        System.exit(running == null ? 0 : stop(running, running.done() == null || running.done().succeeded() ? 0 : 1));
      });
      Running running;
      try {
        running = start(args, System.getenv()).await();
      } catch (RuntimeException e) {
        started.complete(null);
        throw e;
      }
      started.complete(running);
      if (running.done() != null) {
        System.exit(stop(running, awaitDone(running))); // drain before exiting, as on a signal
      }
    } catch (RuntimeException e) {
      System.exit(fail(e, System.err));
    }
  }

  /**
   * A started mode: its Vert.x instance, its graceful stop (drain), which leaves Vert.x to close, and for a mode
   * that ends by itself (the local report) the work whose end ends the process; null for the serving modes.
   */
  public record Running(Vertx vertx, java.util.function.Supplier<Future<Void>> graceful, Future<?> done) {
    public Running(Vertx vertx, java.util.function.Supplier<Future<Void>> graceful) {
      this(vertx, graceful, null);
    }

    public Future<Void> stop() {
      return graceful.get();
    }
  }

  /** Drains and closes Vert.x (on the calling thread, never an event loop); returns the exit code to use. */
  private static int stop(Running running, int code) {
    try {
      running.stop().await();
      return code;
    } catch (RuntimeException e) {
      return fail(e, System.err);
    } finally {
      running.vertx().close().await();
    }
  }

  private static int awaitDone(Running running) {
    try {
      running.done().await();
      return 0;
    } catch (RuntimeException e) {
      return fail(e, System.err);
    }
  }

  /** {@code --help} or {@code -h} anywhere: prints the usage on out and says so. */
  static boolean printedHelp(String[] args, PrintStream out) {
    boolean asked = java.util.Arrays.stream(args).anyMatch(arg -> arg.equals("--help") || arg.equals("-h"));
    if (asked) {
      out.println(USAGE);
    }
    return asked;
  }

  /** Parses the flags and starts the mode; a bad flag fails before anything starts. */
  public static Future<Running> start(String[] args, Map<String, String> env) {
    Flags flags = Flags.parse(args, env);
    String mode = flags.string("mode", null, "server, client or local");
    if (mode == null) {
      throw new ConfigException("--mode is required\n" + USAGE);
    }
    Logging.use(LogFormat.from(flags)); // before the mode logs its first line
    IoTransport transport = IoTransport.from(flags);
    return switch (mode) {
      case "server" -> startServer(flags, transport);
      case "client" -> startClient(flags, transport);
      case "local" -> startLocal(flags, transport);
      default -> throw new ConfigException("--mode must be server, client or local, got '" + mode + "'\n" + USAGE);
    };
  }

  private static Future<Running> startServer(Flags flags, IoTransport transport) {
    ServerConfig config = ServerConfig.from(flags);
    flags.rejectUnknown("server");
    Logger.getLogger(Main.class.getName()).info(() -> "pod IP " + config.podIp() + " (from " + config.podIpSource()
        + "), reply delay " + config.delayMs() + " ms, max connection age " + config.maxConnectionAge().describe()
        + (config.errors().active() ? ", failing a share of " + config.errors().rate() + " of calls with "
        + config.errors().status() + " (--error-rate)" : ""));
    Vertx vertx = transport.newVertx();
    GreeterServer server = new GreeterServer(vertx, config);
    return server.start()
        .compose(s -> serveMetrics(vertx, s).map(s))
        .onSuccess(s -> Logger.getLogger(Main.class.getName()).info(() -> "greeter listening on "
            + config.host() + ":" + s.port())) // once everything is up: what scripts and tests wait for
        .map(s -> new Running(vertx, s::drain))
        .onFailure(err -> vertx.close());
  }

  /** The pod's GET /metrics (kept up while it drains, so the drain shows); nothing with --metrics-port 0. */
  private static Future<Void> serveMetrics(Vertx vertx, GreeterServer server) {
    ServerConfig config = server.config();
    if (config.metricsPort() == 0) {
      return Future.succeededFuture();
    }
    return ServerMetrics.serve(vertx, server, config.host(), config.metricsPort())
        .onSuccess(http -> Logger.getLogger(Main.class.getName()).info(() -> "metrics on http://" + config.host() + ":"
            + http.actualPort() + "/metrics (--metrics-port)"))
        .mapEmpty();
  }

  private static Future<Running> startClient(Flags flags, IoTransport transport) {
    ClientConfig config = ClientConfig.from(flags);
    int warmUp = jitWarmUpCalls(flags);
    ApiAccess access = ApiAccess.from(flags);
    flags.rejectUnknown("client");
    if (config.kube() != null) {
      config.kube().requireReadableCa();
    }
    Vertx vertx = transport.newVertx();
    return new ExperimentClient(vertx, config).withAccess(access).withJitWarmUp(warmUp, () -> terminating).start()
        .map(client -> new Running(vertx, client::close))
        .onFailure(err -> vertx.close());
  }

  private static Future<Running> startLocal(Flags flags, IoTransport transport) {
    LocalConfig config = LocalConfig.from(flags);
    int warmUp = jitWarmUpCalls(flags);
    ApiAccess access = ApiAccess.from(flags);
    flags.rejectUnknown("local");
    Vertx vertx = transport.newVertx();
    return new LocalMode(vertx, config).withAccess(access).withJitWarmUp(warmUp, () -> terminating).start()
        .map(local -> new Running(vertx, local::stop, config.report()
            ? ReportCommand.run(vertx, local.client().port(), access.token(),
                ReportOptions.writeup(Path.of(config.outDir()), config.reportRuns()), config.reportKind(), System.out)
            : null))
        .onFailure(err -> vertx.close());
  }

  /** The CLI's client warms its JIT before it serves; tests that build a client in-process skip it. */
  private static int jitWarmUpCalls(Flags flags) {
    return flags.integer("jit-warmup-calls", DEFAULT_JIT_WARMUP_CALLS, 0, 1_000_000);
  }

  /** One line naming what was wrong, never a stack trace; returns the exit code. */
  static int fail(Throwable error, PrintStream err) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    err.println("grpc-lb-lab: " + cause.getMessage());
    return cause instanceof ConfigException || cause instanceof ListenException ? EXIT_USAGE : 1;
  }
}

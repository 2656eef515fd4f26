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
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.Mode;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.config.UsageText;
import lab.grpclb.experiment.ExperimentClient;
import lab.grpclb.local.LocalMode;
import lab.grpclb.metrics.ServerMetrics;
import lab.grpclb.report.ReportCommand;
import lab.grpclb.report.ReportOptions;
import lab.grpclb.server.GreeterServer;

/** {@code java -jar grpc-lb-lab.jar --mode server|client|local [flags]}. */
public final class Main {
  static final int EXIT_USAGE = 2;
  /** What --help prints, and a missing or unknown mode after its error. */
  static final String USAGE = UsageText.render();

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
    String raw = flags.text(FlagTable.MODE);
    if (raw == null) {
      throw new ConfigException("--mode is required\n" + USAGE);
    }
    Logging.use(LogFormat.from(flags)); // before the mode logs its first line
    IoTransport transport = IoTransport.from(flags);
    Mode mode = Mode.parse(raw).orElseThrow(() ->
        new ConfigException("--mode must be " + FlagTable.MODE.expected() + ", got '" + raw + "'\n" + USAGE));
    return switch (mode) {
      case SERVER -> startServer(flags, transport);
      case CLIENT -> startClient(flags, transport);
      case LOCAL -> startLocal(flags, transport);
    };
  }

  private static Future<Running> startServer(Flags flags, IoTransport transport) {
    ServerConfig config = ServerConfig.from(flags);
    flags.rejectUnknown(Mode.SERVER);
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
    flags.rejectUnknown(Mode.CLIENT);
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
    flags.rejectUnknown(Mode.LOCAL);
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
    return flags.integer(FlagTable.JIT_WARMUP_CALLS);
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

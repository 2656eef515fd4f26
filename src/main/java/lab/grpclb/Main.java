package lab.grpclb;

import lab.grpclb.transport.IoTransport;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.util.Map;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.Mode;
import lab.grpclb.config.UsageText;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.local.LocalMode;
import lab.grpclb.mode.Running;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.mode.server.ServerMode;

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

  /** Drains and closes Vert.x (on the calling thread, never an event loop); returns the exit code to use. */
  private static int stop(Running running, int code) {
    try {
      running.close().await();
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
      case SERVER -> ServerMode.start(flags, transport::newVertx);
      case CLIENT -> ClientMode.start(flags, transport::newVertx, () -> terminating);
      case LOCAL -> LocalMode.start(flags, transport::newVertx, () -> terminating);
    };
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

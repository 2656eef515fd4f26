package lab.grpclb;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.util.Map;
import java.util.logging.Logger;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.experiment.ExperimentClient;
import lab.grpclb.server.GreeterServer;

/** {@code java -jar grpc-lb-lab.jar --mode server|client|local [flags]}. */
public final class Main {
  static final int EXIT_USAGE = 2;
  static final String USAGE = """
      usage: java -jar grpc-lb-lab.jar --mode server|client [flags]
        --mode server  [--host 0.0.0.0] [--port 50051] [--pod-ip IP (env MY_POD_IP)]
                       [--delay-ms 500 (env GREETER_DELAY_MS)] [--drain-timeout-ms 20000]
        --mode client  [--http-port 8080] [--target greeter-server:50051 (env GREETER_TARGET)]
                       [--call-timeout-ms 30000] [--max-n 1000000] [--max-connections N] [--max-in-flight N]""";

  private Main() {
  }

  public static void main(String[] args) {
    Logging.configure();
    try {
      Running running = start(args, System.getenv()).await();
      Signals.onTerminate(() -> running.stop().onComplete(ar -> System.exit(0)));
    } catch (RuntimeException e) {
      System.exit(fail(e, System.err));
    }
  }

  /** What a started mode can do when asked to stop. */
  public interface Running {
    Future<Void> stop();
  }

  /** Parses the flags and starts the mode; a bad flag fails before anything starts. */
  public static Future<Running> start(String[] args, Map<String, String> env) {
    Flags flags = Flags.parse(args, env);
    String mode = flags.string("mode", null);
    if (mode == null || flags.isSet("help")) {
      throw new ConfigException("--mode is required\n" + USAGE);
    }
    return switch (mode) {
      case "server" -> startServer(flags);
      case "client" -> startClient(flags);
      default -> throw new ConfigException("--mode must be server or client, got '" + mode + "'\n" + USAGE);
    };
  }

  private static Future<Running> startServer(Flags flags) {
    ServerConfig config = ServerConfig.from(flags);
    flags.rejectUnknown("server");
    Logger.getLogger(Main.class.getName()).info(() -> "pod IP " + config.podIp() + " (from " + config.podIpSource()
        + "), reply delay " + config.delayMs() + " ms");
    Vertx vertx = Vertx.vertx();
    GreeterServer server = new GreeterServer(vertx, config);
    return server.start()
        .onSuccess(s -> Logger.getLogger(Main.class.getName()).info(() -> "greeter listening on "
            + config.host() + ":" + s.port()))
        .<Running>map(s -> () -> s.drain().eventually(vertx::close))
        .onFailure(err -> vertx.close());
  }

  private static Future<Running> startClient(Flags flags) {
    ClientConfig config = ClientConfig.from(flags);
    flags.rejectUnknown("client");
    Vertx vertx = Vertx.vertx();
    return new ExperimentClient(vertx, config).start()
        .<Running>map(client -> () -> client.close().eventually(vertx::close))
        .onFailure(err -> vertx.close());
  }

  /** One line naming what was wrong, never a stack trace; returns the exit code. */
  static int fail(Throwable error, PrintStream err) {
    Throwable cause = error;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    err.println("grpc-lb-lab: " + cause.getMessage());
    return cause instanceof ConfigException || cause instanceof GreeterServer.BindException ? EXIT_USAGE : 1;
  }
}

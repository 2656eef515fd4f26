package lab.grpclb.mode.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.Mode;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.metrics.ServerMetrics;
import lab.grpclb.mode.Running;
import lab.grpclb.server.GreeterServer;

/** {@code --mode server}: one greeter pod and its metrics endpoint. */
public final class ServerMode {
  private static final Logger LOG = Logger.getLogger(ServerMode.class.getName());

  private ServerMode() {
  }

  /** Reads and checks the flags before anything starts; {@code vertx} is made only then. */
  public static Future<Running> start(Flags flags, Supplier<Vertx> vertxes) {
    ServerConfig config = ServerConfig.from(flags);
    flags.rejectUnknown(Mode.SERVER);
    LOG.info(() -> "pod IP " + config.podIp() + " (from " + config.podIpSource() + "), reply delay "
        + config.delayMs() + " ms, " + config.capacity().describe()
        + (config.warmUp().on() ? ", cold start " + config.warmUp().describe() : "") + ", max connection age " + config.maxConnectionAge().describe()
        + ", at most " + config.maxConcurrentStreams() + " concurrent streams per connection (--"
        + FlagTable.MAX_CONCURRENT_STREAMS.name() + (flags.isSet(FlagTable.MAX_CONCURRENT_STREAMS) ? ""
        : "'s default: max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB / "
        + (ServerConfig.HEAP_PER_STREAM >> 10) + " KiB") + ")"
        + (config.errors().active() ? ", failing a share of " + config.errors().rate() + " of calls with "
        + config.errors().status() + " (--error-rate)" : ""));
    Vertx vertx = vertxes.get();
    GreeterServer server = new GreeterServer(vertx, config);
    return server.start()
        .compose(s -> serveMetrics(vertx, s).map(s))
        // once everything is up: the line scripts and tests wait for
        .onSuccess(s -> LOG.info(() -> "greeter listening on " + config.host() + ":" + s.port()))
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
        .onSuccess(http -> LOG.info(() -> "metrics on http://" + config.host() + ":" + http.actualPort()
            + "/metrics (--metrics-port)"))
        .mapEmpty();
  }
}

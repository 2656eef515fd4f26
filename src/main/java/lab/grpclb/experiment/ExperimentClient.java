package lab.grpclb.experiment;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.client.PerRequestChannel;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.ClientConfig;

/** {@code --mode client}: the experiment's HTTP API in front of one channel per client type. */
public final class ExperimentClient {
  private static final Logger LOG = Logger.getLogger(ExperimentClient.class.getName());

  private final Vertx vertx;
  private final ClientConfig config;
  private final Map<String, GreeterChannel> channels = new LinkedHashMap<>();
  private HttpServer httpServer;

  public ExperimentClient(Vertx vertx, ClientConfig config) {
    this.vertx = vertx;
    this.config = config;
    SocketAddress target = SocketAddress.inetSocketAddress(config.target().port(), config.target().host());
    channels.put(ClientTypes.CLIENT, new PerRequestChannel(vertx, target, config.callTimeoutMs(), config.maxConnections()));
    channels.put(ClientTypes.REUSE_CONN, new SharedChannel(vertx, target, config.callTimeoutMs()));
  }

  /** Adds (or replaces) the channel behind a client type, before {@link #start}. */
  public ExperimentClient withChannel(String type, GreeterChannel channel) {
    channels.put(type, channel);
    return this;
  }

  public Future<ExperimentClient> start() {
    return FirerPool.deploy(vertx, Runtime.getRuntime().availableProcessors()).compose(pool -> {
      Router router = Router.router(vertx);
      new ExperimentRoutes(new ExperimentRunner(vertx, pool), channels, config.maxN(), config.maxInFlight()).mount(router);
      router.get("/healthz").handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "UP")));
      Responses.mountFallbacks(router);
      channels.get(ClientTypes.REUSE_CONN).warmUp();
      httpServer = vertx.createHttpServer().requestHandler(router);
      return httpServer.listen(config.httpPort(), config.httpHost());
    }).map(server -> {
      LOG.info(() -> "experiment client listening on http://" + config.httpHost() + ":" + server.actualPort()
          + ", greeter target " + config.target() + ", types " + channels.keySet());
      return this;
    });
  }

  public int port() {
    return httpServer.actualPort();
  }

  public GreeterChannel channel(String type) {
    return channels.get(type);
  }

  public Future<Void> close() {
    Future<Void> server = httpServer == null ? Future.succeededFuture() : httpServer.close();
    return server.compose(v -> Future.join(channels.values().stream().map(GreeterChannel::close).toList()).mapEmpty());
  }
}

package lab.grpclb.mode.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.FleetChannel;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.client.PerRequestChannel;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.Mode;
import lab.grpclb.config.OutlierEjection;
import lab.grpclb.discovery.DnsDiscovery;
import lab.grpclb.discovery.KubeDiscovery;
import lab.grpclb.discovery.Resolver;
import lab.grpclb.experiment.ExperimentLimits;
import lab.grpclb.experiment.ExperimentRoutes;
import lab.grpclb.experiment.ExperimentRunner;
import lab.grpclb.experiment.FirerPool;
import lab.grpclb.experiment.FleetWitness;
import lab.grpclb.experiment.UnavailableChannel;
import lab.grpclb.http.ApiGuard;
import lab.grpclb.http.Responses;
import lab.grpclb.http.StrictQuery;
import lab.grpclb.metrics.ClientMetrics;
import lab.grpclb.mode.Running;
import lab.grpclb.page.LabEvents;
import lab.grpclb.page.LabPage;

/** {@code --mode client}: the experiment's HTTP API in front of one channel per client type. */
public final class ClientMode {
  private static final Logger LOG = Logger.getLogger(ClientMode.class.getName());

  /** Beyond the drain timeout, how long a stop may wait for the interrupted experiment's answer. */
  static final long STOP_GRACE_MS = 2_000;

  private final Vertx vertx;
  private final ClientConfig config;
  private final Map<ClientType, GreeterChannel> channels = new EnumMap<>(ClientType.class);
  private final List<Consumer<Router>> extraRoutes = new ArrayList<>();
  private final ClientMetrics metrics = new ClientMetrics();
  private ApiAccess access = ApiAccess.OPEN;
  private Supplier<JsonObject> clusterView;
  private int jitWarmUpCalls;
  private BooleanSupplier stopping = () -> false;
  private BalancedChannel balanced;
  private KubeDiscovery discovery;
  private BalancedChannel dnsBalanced;
  private DnsDiscovery dnsDiscovery;
  private HttpServer httpServer;
  private ExperimentRoutes routes;
  /** Local mode's fleet, whose fields full answers add; null otherwise. */
  private FleetWitness witness;
  /**
   * {@code --mode client}: reads and checks the flags before anything starts, then starts the client on a Vert.x
   * made only then; {@code stopping} cuts the JIT warm-up short when a signal comes during the start.
   */
  public static Future<Running> start(Flags flags, Supplier<Vertx> vertxes, BooleanSupplier stopping) {
    ClientConfig config = ClientConfig.from(flags);
    int warmUp = flags.integer(FlagTable.JIT_WARMUP_CALLS);
    ApiAccess access = ApiAccess.from(flags);
    flags.rejectUnknown(Mode.CLIENT);
    if (config.kube() != null) {
      config.kube().requireReadableCa();
    }
    Vertx vertx = vertxes.get();
    return new ClientMode(vertx, config).withAccess(access).withJitWarmUp(warmUp, stopping).start()
        .map(client -> new Running(vertx, client::close))
        .onFailure(err -> vertx.close());
  }

  /** ClientWithKubeResolver's outlier ejection as last configured (--outlier-ejection, then the route). */
  private volatile OutlierEjection ejection;

  public ClientMode(Vertx vertx, ClientConfig config) {
    this.vertx = vertx;
    this.config = config;
    SocketAddress target = SocketAddress.inetSocketAddress(config.target().port(), config.target().host());
    channels.put(ClientType.CLIENT, new PerRequestChannel(vertx, target, config.callTimeoutMs(), config.maxConnections(),
        config.keepAlive(), config.zone()));
    channels.put(ClientType.REUSE_CONN, new SharedChannel(vertx, target, config.callTimeoutMs(), config.connectTimeoutMs(),
        config.keepAlive(), config.zone()));
    ejection = config.balancer().ejection();
    if (config.kube() != null) {
      balanced = new BalancedChannel(vertx, config.callTimeoutMs(), config.connectTimeoutMs(), config.keepAlive(),
          config.attempts(), config.balancer(), () -> discovery.unavailableReason());
      discovery = new KubeDiscovery(vertx, config.kube(), balanced);
      channels.put(ClientType.KUBE_RESOLVER, balanced);
    } else {
      channels.put(ClientType.KUBE_RESOLVER, new UnavailableChannel("no Kubernetes API configured: run in a pod "
          + "(KUBERNETES_SERVICE_HOST) or pass --kube-api URL (with --kube-token-file, --kube-ca-file, --namespace)"));
    }
    channels.put(ClientType.DNS_RESOLVER, dnsChannel());
    bindMetrics();
  }

  /** Every type's calls counted per pod; the balancers and the watch read at scrape time. */
  private void bindMetrics() {
    channels.replaceAll(metrics::metered);
    if (balanced != null) {
      metrics.bindBalancer(ClientType.KUBE_RESOLVER, balanced);
      metrics.bindWatch(discovery);
    }
    if (dnsBalanced != null) {
      metrics.bindBalancer(ClientType.DNS_RESOLVER, dnsBalanced);
    }
  }

  /** ClientWithDnsResolver: the same balancer as ClientWithKubeResolver, fed from DNS on the balancer's event loop. */
  private GreeterChannel dnsChannel() {
    if (config.dns() == null || config.dns().server() == null) {
      return new UnavailableChannel("no DNS server for ClientWithDnsResolver: "
          + (config.dns() == null ? "not configured" : config.dns().serverSource()) + "; pass --dns-server IP[:port]");
    }
    dnsBalanced = new BalancedChannel(vertx, config.callTimeoutMs(), config.connectTimeoutMs(), config.keepAlive(),
        config.attempts(), config.balancer(), () -> dnsDiscovery.unavailableReason());
    dnsDiscovery = new DnsDiscovery(vertx, dnsBalanced.preferredContext(), config.dns(), config.target().port(),
        dnsBalanced);
    dnsBalanced.onConnectionFailure(dnsDiscovery::requestResolution);
    return dnsBalanced;
  }

  /**
   * Local mode's fleet (--clients): each type's calls spread over this client and {@code others}' channels of the
   * type (see {@link FleetChannel}; an immutable list per type, swapped whole when the fleet changes), and full
   * answers add what {@code witness} sees. Call before {@link #start()}.
   */
  public ClientMode withFleet(Function<ClientType, List<GreeterChannel>> others, FleetWitness witness) {
    channels.replaceAll((type, own) -> new FleetChannel(own, () -> others.apply(type)));
    this.witness = witness;
    return this;
  }

  /**
   * One more client of local mode's fleet: its channels and their discovery only, no HTTP API (the first client's
   * experiments send it calls); completes once its shared connection is up or has failed.
   */
  public Future<ClientMode> startChannels() {
    if (discovery != null) {
      discovery.start();
    }
    if (dnsDiscovery != null) {
      dnsDiscovery.start();
    }
    return channels.get(ClientType.REUSE_CONN).warmUp().map(this);
  }

  /** Who may use the HTTP API (see {@link ApiGuard}); open by default. */
  public ClientMode withAccess(ApiAccess access) {
    this.access = access;
    return this;
  }

  /** More routes on the same HTTP port (the local cluster's controls), mounted by {@link #start()}. */
  public ClientMode withRoutes(Consumer<Router> routes) {
    extraRoutes.add(routes);
    return this;
  }

  /** The local cluster's pods as {@code GET /cluster} shows them, for the lab page; without it, its controls are off. */
  public ClientMode withCluster(Supplier<JsonObject> view) {
    clusterView = view;
    return this;
  }

  /**
   * Runs that many calls through the JIT (in this JVM, to greeters of its own) before it listens; 0: none. It
   * ends early once {@code stopping} says so (a signal during startup).
   */
  public ClientMode withJitWarmUp(int calls, BooleanSupplier stopping) {
    jitWarmUpCalls = calls;
    this.stopping = stopping;
    return this;
  }

  public Future<ClientMode> start() {
    // The page loads within the deploy's callback: what follows keeps the context it has without the page.
    return FirerPool.deploy(vertx, Runtime.getRuntime().availableProcessors()).compose(pool -> LabPage.load(vertx)
        .compose(page -> {
      Router router = Router.router(vertx);
      // The port is bound before the JIT warm-up, so that a busy one fails at once; experiments asked for meanwhile
      // wait for the warm-up.
      Promise<Void> warm = Promise.promise();
      ExperimentRunner runner = new ExperimentRunner(vertx, pool).after(warm.future())
          .onRunEnded(report -> metrics.experimentRan(report.experiment().type(), report.ok(), report.failed()));
      routes = new ExperimentRoutes(runner, channels,
          new ExperimentLimits(config.maxN(), config.maxInFlight(), config.maxDurationS())).withWitness(witness);
      router.route().handler(new ApiGuard(access, metrics::apiRefused)); // before every route
      page.mount(router); // first: a browser's GET / is the page, any other the experiment
      routes.mount(router);
      new LabEvents(vertx, this::status, clusterView, runner).mount(router);
      router.get("/healthz").handler(StrictQuery.allow())
          .handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "UP")));
      router.get("/status").handler(StrictQuery.allow()).handler(ctx -> status().onComplete(ar -> {
        if (ar.succeeded()) {
          Responses.json(ctx, 200, ar.result());
        } else {
          Responses.error(ctx, 500, "status unavailable: " + ar.cause().getMessage());
        }
      }));
      router.post("/balancer/outlier-ejection").handler(StrictQuery.allow(OutlierEjection.PARAMETERS))
          .handler(this::configureEjection);
      metrics.mount(router);
      extraRoutes.forEach(routes -> routes.accept(router));
      if (discovery != null) {
        discovery.start();
      }
      if (dnsDiscovery != null) {
        dnsDiscovery.start();
      }
      Responses.mountFallbacks(router);
      httpServer = vertx.createHttpServer().requestHandler(router).invalidRequestHandler(Responses::invalidRequest);
      return httpServer.listen(config.httpPort(), config.httpHost())
          .recover(err -> ListenException.naming("--http-port", config.httpHost(), config.httpPort(), err))
          .compose(server -> {
            if (jitWarmUpCalls > 0) {
              LOG.info(() -> "http://" + config.httpHost() + ":" + server.actualPort() + " bound; experiments asked"
                  + " for now wait for the JIT warm-up");
            }
            return JitWarmUp.run(vertx, pool, jitWarmUpCalls, stopping).onComplete(warm).map(server);
          });
    })).map(server -> {
      channels.get(ClientType.REUSE_CONN).warmUp(); // the shared connection is up before the first experiment
      LOG.info(() -> "experiment client listening on http://" + config.httpHost() + ":" + server.actualPort()
          + ", greeter target " + config.target() + ", types " + channels.keySet());
      if (!access.needsToken() && !ApiGuard.isLoopback(config.httpHost())) {
        LOG.warning(() -> "the experiment API on " + config.httpHost() + ":" + server.actualPort() + " is open: anyone"
            + " who reaches it can start runs, change the balancer and read /status; set --api-token (env "
            + ApiAccess.TOKEN_ENV + ") to require Authorization: Bearer");
      }
      return this;
    });
  }

  /**
   * {@code POST /balancer/outlier-ejection?enabled=true&interval_ms=2000&threshold=40...}: ClientWithKubeResolver's
   * outlier ejection switched or retuned while it runs, as a pushed service config would; answers the settings.
   */
  private void configureEjection(io.vertx.ext.web.RoutingContext ctx) {
    if (balanced == null) {
      Responses.error(ctx, 409, "no balancer: ClientWithKubeResolver needs a Kubernetes API (--kube-api)");
      return;
    }
    OutlierEjection next;
    try {
      next = ejection.with(ctx.queryParams()::get);
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, e.getMessage());
      return;
    }
    ejection = next;
    balanced.configureEjection(next).compose(v -> balanced.status())
        .onComplete(ar -> Responses.json(ctx, 200, BalancerStatusJson.balancer(ar.result())));
  }

  /** GET /status: what the client dials and, for ClientWithKubeResolver, what discovery sees. */
  private Future<JsonObject> status() {
    JsonObject types = new JsonObject();
    channels.forEach((type, channel) -> types.put(type.wireName(), new JsonObject()
        .put("available", channel.unavailableReason() == null)
        .put("unavailable_reason", channel.unavailableReason())
        .put("targets", new JsonArray(channel.endpoints()))
        .put("connections_open", channel.connectionsOpen())));
    JsonObject status = new JsonObject().put("types", types).put("target", config.target().toString());
    Future<JsonObject> dns = dnsDiscovery == null ? Future.succeededFuture(null)
        : discoveryStatus(dnsDiscovery, dnsBalanced);
    Future<JsonObject> kube = discovery == null ? Future.succeededFuture(null) : discoveryStatus(discovery, balanced);
    return Future.all(dns, kube).map(both -> status.put("dns", dns.result()).put("kubernetes", kube.result()));
  }

  /** What a resolver sees, with its channel's endpoints and balancer. */
  private static Future<JsonObject> discoveryStatus(Resolver resolver, BalancedChannel channel) {
    return Future.all(resolver.status(), channel.status()).map(both -> both.<JsonObject>resultAt(0)
        .put("endpoints", BalancerStatusJson.endpoints(both.resultAt(1)))
        .put("balancer", BalancerStatusJson.balancer(both.resultAt(1))));
  }

  public int port() {
    return httpServer.actualPort();
  }

  public GreeterChannel channel(ClientType type) {
    return channels.get(type);
  }

  /** ClientWithKubeResolver's discovery, or null without a Kubernetes API. */
  public KubeDiscovery kubeDiscovery() {
    return discovery;
  }

  /**
   * A graceful stop (SIGTERM, Ctrl-C): a running experiment stops sending, its calls in flight get the drain
   * timeout, and its waiting request gets the (interrupted) report before the HTTP server and channels close.
   */
  public Future<Void> close() {
    Future<Void> answered = routes == null ? Future.succeededFuture() : routes.drain(config.drainTimeoutMs());
    // Whatever a run waits for (a warm-up against a pod that never answers), the stop goes on after this.
    return answered.timeout(config.drainTimeoutMs() + STOP_GRACE_MS, TimeUnit.MILLISECONDS).otherwiseEmpty()
        .compose(v -> closeAll());
  }

  private Future<Void> closeAll() {
    Future<Void> server = httpServer == null ? Future.succeededFuture() : httpServer.close();
    if (discovery != null) {
      server = Future.join(server, discovery.close()).mapEmpty(); // done once the watch is stopped too
    }
    if (dnsDiscovery != null) {
      server = Future.join(server, dnsDiscovery.close()).mapEmpty();
    }
    return server.compose(v -> Future.join(channels.values().stream().map(GreeterChannel::close).toList()).mapEmpty());
  }
}

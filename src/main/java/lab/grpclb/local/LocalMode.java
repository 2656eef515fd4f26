package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.DnsConfig;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.HostPort;
import lab.grpclb.config.KubeConfig;
import lab.grpclb.config.ListenException;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.config.Mode;
import lab.grpclb.config.PingPolicy;
import lab.grpclb.mode.Running;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.report.ReportCommand;
import lab.grpclb.report.ReportOptions;

/** {@code --mode local}: pods, a service address, cluster DNS, and the experiment client, all in this process. */
public final class LocalMode {
  /** How long start waits for ClientWithKubeResolver's first list of the pods. */
  static final long DISCOVERY_WAIT_MS = 10_000;
  private static final Logger LOG = Logger.getLogger(LocalMode.class.getName());

  private final Vertx vertx;
  private final LocalConfig config;
  private final LocalCluster cluster;
  private final ServiceProxy service;
  private final ControlPlane controlPlane;
  /** Clients 1 to M-1 (--clients): client 0 is {@link #client}. */
  private final ClientFleet fleet;
  private final ClusterDns dns = new ClusterDns(LocalConfig.NAMESPACE);
  /** The lab client's service account token: it may read, as its RBAC in deploy/client-rbac.yaml allows. */
  private final String token = UUID.randomUUID().toString();
  /** The kubeconfig's token, kubectl's: it may change objects too. */
  private final String kubectlToken = UUID.randomUUID().toString();
  private String tokenFile;
  private String caFile;
  private ControlPlaneTls tls;
  /** Why the cluster DNS did not start, or null when it serves. */
  private String dnsOff;
  private String kubeconfig;
  private Rollout rollout;
  private DeploymentController deployment;
  private ClientMode client;
  /** The clients {@link #startClient} started, which stop with the cluster. */
  private final List<ClientMode> otherClients = new ArrayList<>();
  /** How the clients reach the control plane: known once it listens. */
  private KubeConfig kube;
  private int jitWarmUpCalls;
  private BooleanSupplier stopping = () -> false;
  private ApiAccess access = ApiAccess.OPEN;

  /**
   * {@code --mode local}: reads and checks the flags before anything starts, then starts the cluster and its client on
   * a Vert.x made only then; with {@code --report}, the report's run is what the mode is done with.
   */
  public static Future<Running> start(Flags flags, Supplier<Vertx> vertxes, BooleanSupplier stopping) {
    LocalConfig config = LocalConfig.from(flags);
    int warmUp = flags.integer(FlagTable.JIT_WARMUP_CALLS);
    ApiAccess access = ApiAccess.from(flags);
    flags.rejectUnknown(Mode.LOCAL);
    Vertx vertx = vertxes.get();
    return new LocalMode(vertx, config).withAccess(access).withJitWarmUp(warmUp, stopping).start()
        .map(local -> new Running(vertx, local::close, config.report()
            ? ReportCommand.run(vertx, local.client().port(), access.token(), local::startClient,
                ReportOptions.writeup(Path.of(config.outDir()), config.reportRuns()), config.reportKind(), System.out)
            : null))
        .onFailure(err -> vertx.close());
  }


  public LocalMode(Vertx vertx, LocalConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.cluster = new LocalCluster(vertx, config.grpcPort(),
        PodTemplate.initial(config.delayMs(), config.capacity(), config.warmUp()),
        PingPolicy.permitting(config.client().keepAlive()), config.zones());
    this.service = new ServiceProxy(vertx, cluster::readyAddresses);
    this.controlPlane = new ControlPlane(vertx, ControlPlane.Options.realistic());
    this.fleet = new ClientFleet(vertx, cluster, this::clientConfig, this::discovered);
  }

  /** The client's JIT warm-up before it listens (see {@link ClientMode#withJitWarmUp}); 0: none. */
  public LocalMode withJitWarmUp(int calls, BooleanSupplier stopping) {
    jitWarmUpCalls = calls;
    this.stopping = stopping;
    return this;
  }

  /** Who may use the client's HTTP API (see {@link ClientMode#withAccess}). */
  public LocalMode withAccess(ApiAccess access) {
    this.access = access;
    return this;
  }

  public Future<LocalMode> start() {
    long started = System.nanoTime();
    return vertx.executeBlocking(ControlPlaneTls::generate, false)
        .compose(made -> {
          tls = made;
          return controlPlane.listenTls("127.0.0.1", config.apiPort(), tls.keyCert());
        })
        .recover(err -> ListenException.naming("--api-port", "127.0.0.1", config.apiPort(), err))
        .compose(cp -> writeKubeconfig())
        .compose(v -> listenDns())
        .compose(v -> writeToken())
        .compose(kubeConfig -> {
          kube = kubeConfig;
          EndpointController controller = new EndpointController(controlPlane, FlagTable.SERVICE.defaultValue(), config.grpcPort(),
              dns::publish);
          controller.createService(config.serviceIp(), config.zones().on());
          LocalServices services = new LocalServices(controlPlane, config.grpcPort());
          services.annotateService(FlagTable.SERVICE.defaultValue());
          services.createHeadless();
          cluster.onChange(controller::sync);
          cluster.onChange(new Kubelet(controlPlane, cluster, config.grpcPort())::sync);
          rollout = new Rollout(vertx, cluster); // after the controller: a settled rollout is already published
          RollingUpdate rollingUpdate = new RollingUpdate(vertx, cluster);
          ClusterEvents events = new ClusterEvents(controlPlane);
          cluster.onChange(events::sync);
          deployment = new DeploymentController(controlPlane, cluster, rollout, rollingUpdate, events, config.grpcPort(),
              config.replicas());
          ClusterRoutes controls = new ClusterRoutes(cluster, rollout, rollingUpdate, deployment, serviceAddress(),
              controlPlane.url());
          return rollout.scale(config.replicas())
              .compose(v -> service.listen(config.serviceIp(), config.grpcPort())
                  .recover(err -> ListenException.naming("--port", config.serviceIp(), config.grpcPort(), err)))
              .compose(v -> new ClientMode(vertx, clientConfig()).withAccess(access).withRoutes(controls::mount)
                  .withRoutes(fleet::mount).withCluster(() -> controls.view().put("clients", fleet.size()))
                  .withFleet(fleet::others, fleet).withJitWarmUp(jitWarmUpCalls, stopping).start())
              // a scale answers once ClientWithKubeResolver picks the ready pods (bounded; see ClusterRoutes)
              .onSuccess(running -> controls.awaitClient(running.channel(ClientType.KUBE_RESOLVER)))
              .compose(this::discovered)
              .compose(first -> fleet.scale(config.clients()).map(first));
        })
        .map(c -> {
          client = c;
          LOG.info(() -> banner((System.nanoTime() - started) / 1_000_000));
          return this;
        })
        // a failed start frees what it bound (DNS, API, pods) itself, so that nothing waits on Vert.x's close
        .recover(err -> close().transform(v -> Future.failedFuture(err)));
  }

  /**
   * The client once ClientWithKubeResolver has listed the pods (the banner's curl lines then work at once), or
   * after {@link #DISCOVERY_WAIT_MS} at most: its experiments then answer 503 saying why, and nothing else waits.
   */
  private Future<ClientMode> discovered(ClientMode started) {
    Promise<ClientMode> ready = Promise.promise();
    long deadline = System.nanoTime() + DISCOVERY_WAIT_MS * 1_000_000;
    vertx.setPeriodic(1, 5, id -> {
      if (started.channel(ClientType.KUBE_RESOLVER).unavailableReason() == null || System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        ready.tryComplete(started);
      }
    });
    return ready.future();
  }

  /**
   * One more experiment client on this cluster with {@code change} made to its config, on a free port of 127.0.0.1,
   * the same API access; answers its port once it has discovered the pods. It stops with the cluster.
   */
  public Future<Integer> startClient(UnaryOperator<ClientConfig> change) {
    ClientConfig changed = change.apply(clientConfig()).withHttp("127.0.0.1", 0);
    return new ClientMode(vertx, changed).withAccess(access).start().compose(this::discovered).map(started -> {
      otherClients.add(started);
      return started.port();
    });
  }

  /** kubectl's own config, so that {@code kubectl get pods} and {@code kubectl scale} need no flags. */
  private Future<Void> writeKubeconfig() {
    return KubectlConfig.write(vertx, config.kubeconfig(), KubectlConfig.yaml(controlPlane.url(), EndpointController.NAMESPACE,
            tls.caPem(), kubectlToken))
        .map(path -> {
          kubeconfig = path; // deleted on stop: it names a control plane that stops with it
          return null;
        });
  }

  /**
   * A taken DNS port (mDNS often holds 5353) is a warning, not a failed start: everything but ClientWithDnsResolver
   * works without the cluster DNS, and that type says why it is unavailable.
   */
  private Future<Void> listenDns() {
    return dns.listen(vertx, config.dnsPort()).<Void>mapEmpty().recover(err -> {
      dnsOff = err.getMessage();
      LOG.warning(() -> "cluster DNS off: " + dnsOff + "; ClientWithDnsResolver is unavailable (pick a free --dns-port)");
      return Future.succeededFuture();
    });
  }

  /** The client discovers through this cluster: its API, and its DNS unless --dns-server names another. */
  private ClientConfig clientConfig() {
    DnsConfig resolving = config.client().dns();
    return config.client().withKube(kube).withDns(dnsOff != null
        ? resolving.withDefaultServer(null, "the local cluster's DNS is off: " + dnsOff)
        : resolving.withDefaultServer(new HostPort(ClusterDns.HOST, dns.port()), "the local cluster's DNS"));
  }

  /**
   * The control plane checks bearer tokens over TLS, as a real API server does: kubectl's may change objects, the
   * client's may read (as a service account's with deploy/client-rbac.yaml), anyone may read without one. The client
   * reads its token and the CA from files, as it reads a service account's in a pod.
   */
  private Future<KubeConfig> writeToken() {
    controlPlane.requireToken(kubectlToken);
    controlPlane.addReader(token, "system:serviceaccount:" + EndpointController.NAMESPACE + ":greeter-client");
    controlPlane.allowAnonymous(true);
    return secretFile("grpc-lb-lab-token", token).compose(file -> {
      tokenFile = file; // deleted on stop
      return secretFile("grpc-lb-lab-ca", tls.caPem());
    }).map(file -> {
      caFile = file; // deleted on stop
      return new KubeConfig(URI.create(controlPlane.url()), tokenFile, caFile, EndpointController.NAMESPACE,
          FlagTable.SERVICE.defaultValue(), FlagTable.SERVICE_PORT.defaultValue());
    });
  }

  /** A temporary file only its owner reads, holding {@code text}. */
  private Future<String> secretFile(String prefix, String text) {
    return vertx.fileSystem().createTempFile(prefix, "", "rw-------")
        .compose(file -> vertx.fileSystem().writeFile(file, Buffer.buffer(text)).map(file));
  }

  private String banner(long startMs) {
    String base = "http://127.0.0.1:" + client.port();
    StringBuilder text = new StringBuilder("local cluster up in " + startMs + " ms\n");
    for (Pod pod : cluster.pods()) {
      text.append("  pod      ").append(pod.name()).append("  ").append(pod.ip()).append(':').append(config.grpcPort()).append('\n');
    }
    text.append("  service  greeter-server  ").append(serviceAddress())
        .append("  (a random ready pod per connection, like kube-proxy)\n");
    text.append("  api      ").append(controlPlane.url()).append("  (kubeconfig ").append(kubeconfig).append(")\n");
    if (dnsOff == null) {
      text.append("  dns      ").append(ClusterDns.HOST).append(':').append(dns.port()).append("  ").append(dns.name())
          .append(" -> the ready pods (try: dig @").append(ClusterDns.HOST).append(" -p ").append(dns.port())
          .append(' ').append(dns.name()).append(")\n");
    } else {
      text.append("  dns      off: ").append(dnsOff).append('\n');
    }
    text.append("  client   ").append(base).append(fleet.size() > 1 ? "  (and " + (fleet.size() - 1)
        + " more clients: each call of an experiment goes to the next)" : "").append('\n');
    text.append("  lab page ").append(base).append("/  (open it in a browser: pods, endpoints, runs, live charts)\n");
    if (config.report()) {
      return text.toString(); // the report runs and the lab exits: nothing to try by hand
    }
    text.append("try:\n");
    text.append("  export KUBECONFIG=").append(kubeconfig).append('\n');
    text.append("  kubectl get deployments,services,endpointslices,pods -o wide\n");
    text.append("  kubectl get pods -w\n");
    text.append("  kubectl scale deployments/greeter-server --replicas=10\n");
    text.append("  kubectl delete pod POD\n");
    text.append("  kubectl rollout restart deployment/greeter-server && kubectl rollout status deployment/greeter-server\n");
    text.append("  kubectl apply -f deploy/server.yaml\n");
    text.append("  curl '").append(base).append("/experiment/client?type=Client&n=1000'\n");
    text.append("  curl '").append(base).append("/experiment/client?type=ClientWithReuseConn&n=1000'\n");
    text.append("  curl '").append(base).append("/experiment/client?type=ClientWithKubeResolver&n=3000'\n");
    text.append("  curl '").append(base).append("/experiment/client?type=ClientWithDnsResolver&n=3000'\n");
    text.append("  curl '").append(base).append("/cluster'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/scale?replicas=10'\n");
    text.append("  curl -X DELETE '").append(base).append("/cluster/pods/POD'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/kill?noticed_ms=1000'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/freeze?noticed_ms=40000'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/delay?ms=2000'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/errors?rate=0.5&status=UNAVAILABLE'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/health?status=NOT_SERVING'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pods/POD/capacity?c=4&queue=100&service_time=exponential'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/pod-template?warmup_ms=20000&warmup_factor=4'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/rollout'\n");
    text.append("  curl -X POST '").append(base).append("/cluster/max-connection-age?ms=10000'");
    return text.toString();
  }

  private String serviceAddress() {
    return config.serviceIp() + ":" + config.grpcPort();
  }

  public LocalCluster cluster() {
    return cluster;
  }

  public ClientMode client() {
    return client;
  }

  /** The port the cluster DNS answers on (UDP and TCP, 127.0.0.1); -1 when it is off. */
  public int dnsPort() {
    return dnsOff == null ? dns.port() : -1;
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** The CA that signed the control plane's certificate, in PEM: what a client of its HTTPS address trusts. */
  public String controlPlaneCa() {
    return tls.caPem();
  }

  /** The absolute path of the kubeconfig written for kubectl. */
  public String kubeconfig() {
    return kubeconfig;
  }

  /** Like {@code kubectl scale} then {@code kubectl rollout status}: completes when that many pods serve. */
  public Future<Void> scale(int replicas) {
    return deployment.scale(replicas);
  }

  public Future<Void> close() {
    List<Future<Void>> stopping = new ArrayList<>(otherClients.stream().map(ClientMode::close).toList());
    stopping.add(fleet.close());
    stopping.add(client == null ? Future.succeededFuture() : client.close());
    Future<Void> clientStopped = Future.join(stopping).mapEmpty();
    return clientStopped.eventually(service::close).eventually(cluster::drain).eventually(dns::close)
        .eventually(controlPlane::close)
        .eventually(() -> tokenFile == null ? Future.succeededFuture() : vertx.fileSystem().delete(tokenFile))
        .eventually(() -> caFile == null ? Future.succeededFuture() : vertx.fileSystem().delete(caFile))
        .eventually(() -> kubeconfig == null ? Future.succeededFuture() : vertx.fileSystem().delete(kubeconfig));
  }
}

package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import lab.grpclb.client.GreeterChannel;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.HostPort;
import lab.grpclb.config.KubeConfig;
import lab.grpclb.discovery.Slices;
import lab.grpclb.local.ApiResource;
import lab.grpclb.local.ControlPlane;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.server.GreeterServer;

/**
 * The rig most end-to-end tests stand on, set up one way: real greeters on loopback pod IPs; with {@link #kube},
 * our control plane over real HTTP (or HTTPS) serving them as the greeter-server Service, with a token file, the
 * Service and an EndpointSlice; and an experiment client aimed at them. The withers say what a test needs, then
 * {@link #start()}; {@link #close()} stops it all in reverse order and waits. For the JUnit thread only.
 */
public final class TestLab implements AutoCloseable {
  public static final String NS = "default";
  public static final String SERVICE = "greeter-server";
  /** The EndpointSlice {@link #publish} writes. */
  public static final String SLICE = "greeter-server-abc";

  private final Vertx vertx;
  private final boolean kube;
  private String token;
  private String clusterIp;
  private int servicePort;
  private SelfSignedCertificate tls;
  private String firstIp;
  private int greeterCount;
  private int port;
  private int delayMs;
  private UnaryOperator<ClientConfig> clientConfig;
  private ApiAccess access;

  private ControlPlane api;
  private Path tokenFile;
  private final List<GreeterServer> servers = new ArrayList<>();
  private final List<ClientMode> clients = new ArrayList<>();
  private ClientMode client;
  private Http http;

  private TestLab(Vertx vertx, boolean kube) {
    this.vertx = vertx;
    this.kube = kube;
  }

  /** Greeters published by the control plane; the client's ClientWithKubeResolver discovers them. */
  public static TestLab kube(Vertx vertx) {
    return new TestLab(vertx, true);
  }

  /** Greeters and a client dialling the first, no control plane: ClientWithKubeResolver is unavailable. */
  public static TestLab direct(Vertx vertx) {
    return new TestLab(vertx, false);
  }

  /** The control plane requires this bearer token, and the client's token file holds it (else the file is empty). */
  public TestLab withToken(String token) {
    this.token = token;
    return this;
  }

  /** The greeter-server Service, for the discovery bridge to import. */
  public TestLab withService(String clusterIp, int port) {
    this.clusterIp = clusterIp;
    this.servicePort = port;
    return this;
  }

  /** The control plane serves HTTPS with this certificate, which the client trusts as its CA. */
  public TestLab withTls(SelfSignedCertificate certificate) {
    this.tls = certificate;
    return this;
  }

  /**
   * {@code count} greeters on {@code firstIp} and the addresses after it, all on {@code port} as pods of one
   * Deployment (0: each on a free port of its own), replying after {@code delayMs}; with {@link #kube}, published
   * in one EndpointSlice.
   */
  public TestLab withGreeters(String firstIp, int count, int port, int delayMs) {
    this.firstIp = firstIp;
    this.greeterCount = count;
    this.port = port;
    this.delayMs = delayMs;
    return this;
  }

  /**
   * An experiment client on 127.0.0.1 (a free port) aimed at the first greeter if any, with generous limits,
   * changed as {@code config} says; with {@link #kube}, {@link #start()} returns once it routes to every greeter.
   */
  public TestLab withClient(UnaryOperator<ClientConfig> config) {
    this.clientConfig = config;
    return this;
  }

  /** The client of {@link #withClient(UnaryOperator)}, unchanged. */
  public TestLab withClient() {
    return withClient(config -> config);
  }

  /** Who may use the client's HTTP API; open if not given. */
  public TestLab withAccess(ApiAccess access) {
    this.access = access;
    return this;
  }

  public TestLab start() throws Exception {
    try {
      if (kube) {
        startControlPlane();
      }
      addGreeters(greeterCount, delayMs);
      if (kube && !servers.isEmpty()) {
        publish();
      }
      http = new Http(vertx);
      if (clientConfig != null) {
        client = startClient(clientConfig, access);
        if (kube && !servers.isEmpty()) {
          Await.until(() -> channel().endpoints().size() == servers.size(), servers.size() + " endpoints discovered");
        }
      }
      return this;
    } catch (Exception | AssertionError e) {
      try {
        close();
      } catch (Exception alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
  }

  private void startControlPlane() throws Exception {
    tokenFile = Files.createTempFile("token", "");
    ControlPlane plane = new ControlPlane(vertx, new ControlPlane.Options(200, 3_600_000));
    api = (tls == null ? plane.listen("127.0.0.1", 0) : plane.listenTls("127.0.0.1", 0, tls.keyCertOptions()))
        .await(5, TimeUnit.SECONDS);
    if (token != null) {
      api.requireToken(token);
      Files.writeString(tokenFile, token + "\n");
    }
    if (clusterIp != null) {
      applyService(clusterIp);
    }
  }

  /** Starts the next {@code count} greeters, on the addresses after the last; they are not published yet. */
  public List<GreeterServer> addGreeters(int count, int delayMs) throws Exception {
    String prefix = firstIp == null ? "" : firstIp.substring(0, firstIp.lastIndexOf('.') + 1);
    int first = firstIp == null ? 0 : Integer.parseInt(firstIp.substring(prefix.length()));
    List<GreeterServer> added = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      added.add(Greeters.start(vertx, prefix + (first + servers.size()), port, delayMs));
      servers.add(added.get(i));
    }
    return added;
  }

  /** The Service as the bridge sees it, now with this cluster IP. */
  public void applyService(String clusterIp) {
    api.apply(ApiResource.SERVICES, NS, new JsonObject()
        .put("metadata", new JsonObject().put("name", SERVICE))
        .put("spec", new JsonObject().put("clusterIP", clusterIp)
            .put("ports", new JsonArray().add(new JsonObject().put("name", "grpc").put("port", servicePort)))));
  }

  /** Writes the EndpointSlice with every greeter, all ready. */
  public void publish() {
    publish(servers);
  }

  /** Writes the EndpointSlice with these greeters, all ready. */
  public void publish(List<GreeterServer> ready) {
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice(SLICE, port, ready));
  }

  /** Writes the EndpointSlice with these endpoints (see {@link Slices#endpoint}). */
  public void publish(JsonArray endpoints) {
    api.apply(ApiResource.ENDPOINTSLICES, NS, Slices.slice(SLICE, port, endpoints));
  }

  /** The API as a client in a pod would be told of it, its server's certificate checked against {@code caFile}. */
  public KubeConfig kubeConfig(String caFile) {
    URI url = URI.create(tls == null ? api.url() : "https://localhost:" + api.port());
    return new KubeConfig(url, tokenFile.toString(), caFile, NS, SERVICE, "grpc");
  }

  public KubeConfig kubeConfig() {
    return kubeConfig(tls == null ? "" : tls.certificatePath());
  }

  /** One more client on the same terms as {@link #withClient}, stopped by {@link #close()}; access null: open. */
  public ClientMode startClient(UnaryOperator<ClientConfig> config, ApiAccess access) throws Exception {
    ClientConfig base = ClientConfig.defaults().withHttp("127.0.0.1", 0).withCallTimeoutMs(10_000)
        .withMaxConnections(500).withMaxInFlight(20_000).withKube(kube ? kubeConfig() : null);
    if (!servers.isEmpty()) {
      base = base.withTarget(new HostPort(servers.get(0).config().podIp(), servers.get(0).port()));
    }
    ClientMode started = new ClientMode(vertx, config.apply(base));
    if (access != null) {
      started.withAccess(access);
    }
    clients.add(started.start().await(10, TimeUnit.SECONDS));
    return started;
  }

  /** Stops one of the clients now, for a test of its stop or of what it leaves behind. */
  public void closeClient(ClientMode started) throws Exception {
    clients.remove(started);
    started.close().await(10, TimeUnit.SECONDS);
  }

  /** {@code GET /experiment/client?<query>} on the client, answered 200: the report. */
  public JsonObject run(String query) throws Exception {
    var answer = http.get(client.port(), "/experiment/client?" + query);
    assertEquals(200, answer.status(), answer.body().encode());
    return answer.body();
  }

  /** The client's {@code GET /status}, its kubernetes part. */
  public JsonObject kubeStatus() {
    try {
      return http.get(client.port(), "/status").body().getJsonObject("kubernetes");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public ControlPlane api() {
    return api;
  }

  public Path tokenFile() {
    return tokenFile;
  }

  /** The greeters, in address order; a test may kill one, or change its delay. */
  public List<GreeterServer> servers() {
    return servers;
  }

  public ClientMode client() {
    return client;
  }

  /** The client's ClientWithKubeResolver. */
  public GreeterChannel channel() {
    return client.channel(ClientType.KUBE_RESOLVER);
  }

  public Http http() {
    return http;
  }

  /**
   * Clients, greeters (any already killed too), the control plane, the token file, each waited for; a step that
   * fails does not keep the next from running, and the first failure is thrown at the end.
   */
  @Override
  public void close() throws Exception {
    Exception failed = attempt(null,
        () -> Future.join(clients.stream().map(ClientMode::close).toList()).await(10, TimeUnit.SECONDS));
    failed = attempt(failed, () -> Future.join(servers.stream()
        .map(s -> s.kill().recover(e -> Future.succeededFuture())).toList()).await(10, TimeUnit.SECONDS));
    if (api != null) {
      failed = attempt(failed, () -> api.close().await(5, TimeUnit.SECONDS));
    }
    if (tokenFile != null) {
      failed = attempt(failed, () -> Files.deleteIfExists(tokenFile));
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static Exception attempt(Exception earlier, Callable<?> step) {
    try {
      step.call();
      return earlier;
    } catch (Exception e) {
      if (earlier == null) {
        return e;
      }
      earlier.addSuppressed(e);
      return earlier;
    }
  }
}

package lab.grpclb.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.grpc.health.v1.HealthCheckRequest;
import io.vertx.grpc.health.v1.HealthCheckResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import lab.grpclb.bench.Benchmark;
import lab.grpclb.config.ApiAccess;
import lab.grpclb.config.ClientConfig;
import lab.grpclb.config.ConfigException;
import lab.grpclb.config.DnsConfig;
import lab.grpclb.config.FlagTable;
import lab.grpclb.config.Flags;
import lab.grpclb.config.HostPort;
import lab.grpclb.config.KubeConfig;
import lab.grpclb.config.Mode;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.discovery.EndpointSliceWatch;
import lab.grpclb.discovery.ServiceBridge;
import lab.grpclb.mode.client.ClientMode;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * No cluster runs here, so this proves that {@code deploy/}, the {@code Dockerfile}, {@code pom.xml} and the
 * code agree: every manifest parses, selectors select, ports and probes reach what the code serves, args and
 * env are ones the code reads, RBAC grants exactly what the client requests, and the pods are locked down.
 * {@link #everyCheckCatchesABrokenManifest} breaks the manifests on purpose to show that the checks bite.
 */
class DeployManifestsTest {
  static final Path DEPLOY = Path.of("deploy");
  static final String SERVER = "greeter-server";
  static final String CLIENT = "greeter-client";
  static final String HEADLESS = DnsConfig.HEADLESS_SERVICE;
  /** The image docs/minikube.md builds inside minikube's Docker engine: both modes, one image. */
  static final String IMAGE = "grpc-lb-lab:dev";
  /** What MY_POD_IP from {@code status.podIP} looks like in minikube. */
  static final String SAMPLE_POD_IP = "10.244.0.113";
  /** Slack the grace period must leave between the end of the drain and the kubelet's SIGKILL. */
  static final long GRACE_MARGIN_MS = 5_000;
  /** ClientConfig's heap budget per call in flight (measured 2.3 KB, with headroom). */
  static final long HEAP_PER_CALL = 4 * 1024;

  /** The Vert.x Kubernetes discovery bridge lists and watches this collection (a constant of the library). */
  static final String BRIDGE_SERVICES_PATH = "/api/v1/namespaces/{ns}/services";
  static final Set<String> READ_VERBS = Set.of("get", "list", "watch");
  /** What the kubelet puts in every pod's env: the in-cluster API address. */
  static final Map<String, String> KUBELET_ENV = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443");

  static Manifests manifests;
  static JsonNode kustomization;
  static Set<String> deployFiles;
  static Dockerfile dockerfile;
  static Pom pom;

  @BeforeAll
  static void load() throws Exception {
    manifests = Manifests.load(DEPLOY);
    kustomization = new YAMLMapper().readTree(DEPLOY.resolve("kustomization.yaml").toFile());
    deployFiles = Manifests.yamlFilesIn(DEPLOY);
    dockerfile = Dockerfile.parse(Path.of("Dockerfile"));
    pom = Pom.read(Path.of("pom.xml"));
  }

  // ---------------------------------------------------------------------------------------------------
  // The tests: each runs one group of checks against the real files.

  @Test
  void everyManifestParsesAndKustomizationAppliesThemAll() {
    checkObjects(manifests);
    checkKustomization(manifests, kustomization, deployFiles);
  }

  @Test
  void selectorsSelectTheirOwnPodsOnly() {
    checkSelectors(manifests);
  }

  @Test
  void serverArgsEnvPortsAndServiceMatchTheCode() {
    checkServer(manifests);
  }

  @Test
  void clientArgsEnvPortsAndServiceMatchTheCode() {
    checkClient(manifests);
  }

  @Test
  void rbacGrantsExactlyWhatTheClientRequests() {
    checkRbac(manifests);
  }

  @Test
  void podsRunNonRootReadOnlyWithNoPrivilegesAndBoundedResources() {
    checkHardening(manifests, dockerfile);
  }

  @Test
  void dockerfileBuildsThePomsJarWithItsJavaVersionAndRunsItAsTheManifestsExpect() {
    checkDockerfile(dockerfile, pom, manifests);
  }

  @Test
  void dockerignoreKeepsTheSourcesAndDropsTheRest() throws IOException {
    List<String> rules = Files.readAllLines(Path.of(".dockerignore"));
    List<String> needed = new ArrayList<>(List.of("pom.xml"));
    try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
      files.filter(Files::isRegularFile).forEach(f -> needed.add(f.toString().replace('\\', '/')));
    }
    for (String file : needed) {
      assertFalse(Dockerfile.ignores(rules, file), ".dockerignore drops " + file + ", which the image build needs");
    }
    for (String junk : List.of("target/grpc-lb-lab.jar", ".git/HEAD", "src/test/java/X.java", "deploy/server.yaml")) {
      assertTrue(Dockerfile.ignores(rules, junk), ".dockerignore should keep " + junk + " out of the build context");
    }
  }

  /** The server's native gRPC probes, sent to a real GreeterServer: grpc.health.v1.Health/Check answers SERVING. */
  @Test
  void serverProbesGetServingFromTheRealHealthService() throws Exception {
    Vertx vertx = Vertx.vertx();
    GreeterServer server = new GreeterServer(vertx, ServerConfig.forPod("127.0.0.2", 0, 10)).start().await(10, TimeUnit.SECONDS);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.2", server.port()).usePlaintext().build();
    try {
      JsonNode container = container(manifests.get("Deployment", SERVER));
      for (String kind : List.of("readinessProbe", "livenessProbe")) {
        JsonNode grpc = container.path(kind).path("grpc");
        assertTrue(grpc.isObject(), kind + " of " + SERVER + " must be a native grpc probe");
        String service = grpc.path("service").asText("");
        HealthCheckResponse answer = ClientCalls.blockingUnaryCall(channel, HEALTH_CHECK,
            CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), HealthCheckRequest.newBuilder().setService(service).build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, answer.getStatus(), kind + " asks for service '" + service + "'");
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.kill().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The client's HTTP probes, sent to a real ClientMode: 200 {"status":"UP"}. */
  @Test
  void clientProbesGet200FromTheRealHttpEndpoint() throws Exception {
    Vertx vertx = Vertx.vertx();
    ClientMode client = new ClientMode(vertx,
        ClientConfig.defaults().withHttp("127.0.0.1", 0)
            .withTarget(new HostPort("127.0.0.2", FlagTable.PORT.defaultValue())).withMaxN(1000).withCallTimeoutMs(1000)
            .withMaxConnections(10).withMaxInFlight(10_000))
        .start().await(10, TimeUnit.SECONDS);
    HttpClient http = vertx.createHttpClient();
    try {
      JsonNode container = container(manifests.get("Deployment", CLIENT));
      for (String kind : List.of("readinessProbe", "livenessProbe")) {
        JsonNode get = container.path(kind).path("httpGet");
        assertTrue(get.isObject(), kind + " of " + CLIENT + " must be an httpGet probe");
        String path = get.path("path").asText("/");
        // The body is asked for in send()'s own callback: a later stage could miss a short answer's end.
        int status = http.request(HttpMethod.GET, client.port(), "127.0.0.1", path)
            .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
              assertTrue(body.toString().contains("UP"), kind + " " + path + " answered " + body);
              return resp.statusCode();
            })))
            .await(10, TimeUnit.SECONDS);
        assertEquals(200, status, kind + " GET " + path);
      }
    } finally {
      http.close();
      client.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Each mutation is a mistake someone could make; the static checks must reject every one of them. */
  @TestFactory
  Stream<DynamicTest> everyCheckCatchesABrokenManifest() {
    Map<String, Consumer<Manifests>> mistakes = new LinkedHashMap<>();
    mistakes.put("Deployment selector no longer matches its pod labels", m ->
        ((ObjectNode) m.get("Deployment", SERVER).at("/spec/selector/matchLabels")).put("app", "greeter"));
    mistakes.put("Service selects no pods", m ->
        ((ObjectNode) m.get("Service", SERVER).at("/spec/selector")).put("app", "greeter-srv"));
    mistakes.put("Service targetPort names a port the pod lacks", m ->
        ((ObjectNode) m.get("Service", SERVER).at("/spec/ports/0")).put("targetPort", "grcp"));
    mistakes.put("Service port renamed (ClientWithKubeResolver looks for 'grpc')", m ->
        ((ObjectNode) m.get("Service", SERVER).at("/spec/ports/0")).put("name", "h2c"));
    mistakes.put("headless Service gets a cluster IP", m ->
        ((ObjectNode) m.get("Service", HEADLESS).path("spec")).remove("clusterIP"));
    mistakes.put("headless Service lists pods that are not ready", m ->
        ((ObjectNode) m.get("Service", HEADLESS).path("spec")).put("publishNotReadyAddresses", true));
    mistakes.put("headless Service selects other pods", m ->
        ((ObjectNode) m.get("Service", HEADLESS).path("spec")).putObject("selector").put("tier", "lab"));
    mistakes.put("headless Service port misses the server", m ->
        ((ObjectNode) m.get("Service", HEADLESS).at("/spec/ports/0")).put("targetPort", 8080));
    mistakes.put("ClientWithDnsResolver resolves another name", m ->
        ((ArrayNode) container(m.get("Deployment", CLIENT)).path("args")).add("--dns-name").add("greeter-server.default.svc"));
    mistakes.put("container port differs from what the server listens on", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER)).at("/ports/0")).put("containerPort", 50052));
    mistakes.put("gRPC probe on the wrong port", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER)).at("/readinessProbe/grpc")).put("port", 8080));
    mistakes.put("HTTP probe on the wrong port", m ->
        ((ObjectNode) container(m.get("Deployment", CLIENT)).at("/livenessProbe/httpGet")).put("port", 9090));
    mistakes.put("server's scrape annotation names a port without /metrics", m ->
        ((ObjectNode) m.get("Deployment", SERVER).at("/spec/template/metadata/annotations")).put("prometheus.io/port", "50051"));
    mistakes.put("server's metrics turned off", m ->
        ((ArrayNode) container(m.get("Deployment", SERVER)).path("args")).add("--metrics-port").add("0"));
    mistakes.put("server's metrics container port differs from --metrics-port", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER)).at("/ports/1")).put("containerPort", 9091));
    mistakes.put("client pods not scraped", m ->
        ((ObjectNode) m.get("Deployment", CLIENT).at("/spec/template/metadata/annotations")).remove("prometheus.io/scrape"));
    mistakes.put("client's metrics path wrong", m ->
        ((ObjectNode) m.get("Deployment", CLIENT).at("/spec/template/metadata/annotations")).put("prometheus.io/path", "/metric"));
    mistakes.put("server flag misspelled", m ->
        ((ArrayNode) container(m.get("Deployment", SERVER)).path("args")).add("--drain-timeout").add("20000"));
    mistakes.put("client mode replaced by the server's", m ->
        ((ArrayNode) container(m.get("Deployment", CLIENT)).path("args")).set(1, "server"));
    mistakes.put("env var the code never reads", m ->
        ((ArrayNode) container(m.get("Deployment", SERVER)).path("env")).addObject().put("name", "GREETER_DELAY").put("value", "5"));
    mistakes.put("MY_POD_IP from the node, not the pod", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER)).at("/env/0/valueFrom/fieldRef")).put("fieldPath", "status.hostIP"));
    mistakes.put("client aimed at a Service that does not exist", m ->
        ((ObjectNode) container(m.get("Deployment", CLIENT)).at("/env/0")).put("value", "greeter:50051"));
    mistakes.put("ClientWithKubeResolver watches another Service", m ->
        ((ArrayNode) container(m.get("Deployment", CLIENT)).path("args")).add("--service").add("greeter"));
    mistakes.put("ClientWithKubeResolver looks for a port the Service lacks", m ->
        ((ArrayNode) container(m.get("Deployment", CLIENT)).path("args")).add("--service-port").add("h2c"));
    mistakes.put("grace period shorter than preStop + drain", m ->
        ((ObjectNode) m.get("Deployment", SERVER).at("/spec/template/spec")).put("terminationGracePeriodSeconds", 20));
    mistakes.put("Role grants a write verb", m ->
        ((ArrayNode) m.get("Role", CLIENT).at("/rules/0/verbs")).add("create"));
    mistakes.put("Role grants deprecated core/v1 Endpoints too", m ->
        ((ArrayNode) m.get("Role", CLIENT).at("/rules/0/resources")).add("endpoints"));
    mistakes.put("Role misses EndpointSlices", m -> ((ArrayNode) m.get("Role", CLIENT).path("rules")).remove(1));
    mistakes.put("RoleBinding binds another ServiceAccount", m ->
        ((ObjectNode) m.get("RoleBinding", CLIENT).at("/subjects/0")).put("name", "default"));
    mistakes.put("client pod runs as the default ServiceAccount", m ->
        ((ObjectNode) m.get("Deployment", CLIENT).at("/spec/template/spec")).remove("serviceAccountName"));
    mistakes.put("root filesystem writable", m ->
        ((ObjectNode) container(m.get("Deployment", CLIENT)).path("securityContext")).put("readOnlyRootFilesystem", false));
    mistakes.put("privilege escalation allowed", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER)).path("securityContext")).remove("allowPrivilegeEscalation"));
    mistakes.put("runs as root", m ->
        ((ObjectNode) m.get("Deployment", SERVER).at("/spec/template/spec/securityContext")).put("runAsUser", 0));
    mistakes.put("no writable /tmp under a read-only root", m ->
        ((ObjectNode) container(m.get("Deployment", SERVER))).remove("volumeMounts"));
    mistakes.put("no memory limit", m ->
        ((ObjectNode) container(m.get("Deployment", CLIENT)).at("/resources/limits")).remove("memory"));
    mistakes.put("image pulled from a registry that does not have it", m ->
        ((ObjectNode) container(m.get("Deployment", CLIENT))).put("imagePullPolicy", "Always"));
    DynamicTest baseline = DynamicTest.dynamicTest("an unbroken copy passes", () -> checkAllStatic(manifests.copy()));
    return Stream.concat(Stream.of(baseline), mistakes.entrySet().stream().map(mistake -> DynamicTest.dynamicTest(mistake.getKey(), () -> {
      Manifests broken = manifests.copy();
      mistake.getValue().accept(broken);
      assertThrows(AssertionError.class, () -> checkAllStatic(broken), "not caught: " + mistake.getKey());
    })));
  }

  // ---------------------------------------------------------------------------------------------------
  // The checks, as functions of the parsed files, so the mutation test can run them on broken copies.

  static void checkAllStatic(Manifests m) {
    checkObjects(m);
    checkKustomization(m, kustomization, deployFiles);
    checkSelectors(m);
    checkServer(m);
    checkHeadless(m);
    checkClient(m);
    checkRbac(m);
    checkHardening(m, dockerfile);
    checkDockerfile(dockerfile, pom, m);
  }

  static void checkObjects(Manifests m) {
    Set<String> expected = Set.of("Deployment/" + SERVER, "Service/" + SERVER, "Service/" + HEADLESS,
        "Deployment/" + CLIENT, "Service/" + CLIENT, "ServiceAccount/" + CLIENT, "Role/" + CLIENT, "RoleBinding/" + CLIENT);
    assertEquals(new TreeSet<>(expected), new TreeSet<>(m.keys()), "objects in deploy/");
    for (JsonNode object : m.all()) {
      String what = Manifests.key(object);
      assertTrue(object.path("apiVersion").isTextual(), what + " has no apiVersion");
      assertTrue(object.path("metadata").path("namespace").isMissingNode(),
          what + " pins a namespace: leave it to kustomization.yaml");
    }
    for (String deployment : List.of(SERVER, CLIENT)) {
      JsonNode pod = m.get("Deployment", deployment).at("/spec/template/spec");
      assertEquals(1, pod.path("containers").size(), deployment + " runs one container");
      assertEquals("apps/v1", m.get("Deployment", deployment).path("apiVersion").asText());
    }
    assertEquals(3, m.get("Deployment", SERVER).at("/spec/replicas").asInt(), "the reference runs 3 greeter pods");
  }

  static void checkKustomization(Manifests m, JsonNode kustomization, Set<String> yamlFiles) {
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    Set<String> files = new TreeSet<>(yamlFiles);
    files.remove("kustomization.yaml");
    assertEquals(files, listed, "kustomization.yaml resources must list every manifest in deploy/");
    String namespace = kustomization.path("namespace").asText("default");
    for (JsonNode subject : m.get("RoleBinding", CLIENT).path("subjects")) {
      assertEquals(namespace, subject.path("namespace").asText(),
          "RoleBinding subject namespace must be the one kustomization.yaml applies to");
    }
  }

  static void checkSelectors(Manifests m) {
    for (String name : List.of(SERVER, CLIENT)) {
      JsonNode deployment = m.get("Deployment", name);
      JsonNode selector = deployment.at("/spec/selector");
      assertTrue(selector.path("matchExpressions").isMissingNode(), name + ": use matchLabels only");
      Map<String, String> matchLabels = strings(selector.path("matchLabels"));
      assertFalse(matchLabels.isEmpty(), name + " Deployment selector is empty");
      assertEquals("app=" + name, "app=" + matchLabels.get("app"), name + " Deployment selects app=" + name);
      assertTrue(selects(matchLabels, podLabels(deployment)),
          name + " Deployment selector " + matchLabels + " does not match its pod labels " + podLabels(deployment));
      Map<String, String> serviceSelector = strings(m.get("Service", name).at("/spec/selector"));
      assertFalse(serviceSelector.isEmpty(), name + " Service has no selector");
      assertTrue(selects(serviceSelector, podLabels(deployment)),
          "Service " + name + " selector " + serviceSelector + " does not match the " + name + " pods");
    }
    assertFalse(selects(strings(m.get("Service", SERVER).at("/spec/selector")), podLabels(m.get("Deployment", CLIENT))),
        "Service greeter-server would also select the client pod");
    assertFalse(selects(strings(m.get("Service", CLIENT).at("/spec/selector")), podLabels(m.get("Deployment", SERVER))),
        "Service greeter-client would also select the server pods");
  }

  static void checkServer(Manifests m) {
    JsonNode deployment = m.get("Deployment", SERVER);
    JsonNode container = container(deployment);
    Map<String, String> env = podEnv(container);
    Set<String> envRead = new HashSet<>();
    Flags flags = Flags.parse(args(container), recording(env, envRead));
    assertEquals("server", flags.text(FlagTable.MODE), SERVER + " args must say --mode server");
    ServerConfig config;
    try {
      config = ServerConfig.from(flags);
      flags.rejectUnknown(Mode.SERVER);
    } catch (ConfigException e) {
      throw new AssertionError(SERVER + " args/env rejected by the code: " + e.getMessage(), e);
    }
    assertEquals(Set.of(), minus(env.keySet(), envRead), SERVER + " sets env vars the server never reads");
    assertEquals("0.0.0.0", config.host(), "the server must listen on all addresses: probes and kube-proxy dial the pod IP");
    assertEquals(SAMPLE_POD_IP, config.podIp(), "MY_POD_IP must come from status.podIP and reach the config");
    assertEquals("env MY_POD_IP", config.podIpSource());
    if (env.containsKey("GREETER_DELAY_MS")) {
      assertEquals(Integer.parseInt(env.get("GREETER_DELAY_MS")), config.delayMs());
    }

    assertEquals(FlagTable.PORT.defaultValue(), config.port(), "the server's port (the code's default, 50051)");
    assertTrue(config.metricsPort() > 0, SERVER + " must serve GET /metrics (--metrics-port is not 0)");
    assertEquals(config.metricsPort(), containerPort(container, "metrics").path("containerPort").asInt(),
        "container port 'metrics' must be the server's --metrics-port");
    checkScraped(deployment, config.metricsPort());
    JsonNode grpcPort = containerPort(container, "grpc");
    assertEquals(config.port(), grpcPort.path("containerPort").asInt(), "container port 'grpc' must be the port the server listens on");

    for (String kind : List.of("readinessProbe", "livenessProbe")) {
      JsonNode grpc = container.path(kind).path("grpc");
      assertTrue(grpc.isObject(), SERVER + " " + kind + " must be a native grpc probe (grpc.health.v1)");
      assertEquals(config.port(), grpc.path("port").asInt(), SERVER + " " + kind + " must probe the gRPC port");
      String service = grpc.path("service").asText("");
      assertTrue(service.isEmpty() || service.equals("experiment.Greeter"),
          kind + " asks health for service '" + service + "', which the server does not register");
    }

    long graceMs = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong(30) * 1000;
    long needMs = preStopMs(container) + config.drainTimeoutMs() + GRACE_MARGIN_MS;
    assertTrue(graceMs >= needMs, "terminationGracePeriodSeconds (" + graceMs / 1000 + " s) must cover preStop ("
        + preStopMs(container) + " ms) + drain timeout (" + config.drainTimeoutMs() + " ms) + " + GRACE_MARGIN_MS + " ms");

    JsonNode service = m.get("Service", SERVER);
    assertEquals("ClusterIP", service.at("/spec/type").asText("ClusterIP"), "Service greeter-server");
    assertNotEquals("None", service.at("/spec/clusterIP").asText(""),
        "greeter-server must not be headless: the bridge records its cluster IP and kube-proxy balances per connection");
    JsonNode port = servicePort(service, "grpc");
    assertEquals(config.port(), port.path("port").asInt(), "Service port 'grpc'");
    assertEquals(config.port(), targetContainerPort(port, container), "Service greeter-server targetPort must reach the server");
    assertTrue(deployment.at("/spec/template/spec/automountServiceAccountToken").isBoolean()
        && !deployment.at("/spec/template/spec/automountServiceAccountToken").asBoolean(),
        "greeter-server never calls the API server: automountServiceAccountToken: false");
  }

  /**
   * The headless Service ClientWithDnsResolver resolves: no cluster IP, the greeter pods only (ready ones only in
   * DNS), the same port, and the name the client resolves by default in kustomization's namespace.
   */
  static void checkHeadless(Manifests m) {
    JsonNode headless = m.get("Service", HEADLESS);
    assertEquals("None", headless.at("/spec/clusterIP").asText(), HEADLESS + " must be headless (clusterIP: None)");
    assertEquals("ClusterIP", headless.at("/spec/type").asText("ClusterIP"), HEADLESS + " type");
    assertFalse(headless.at("/spec/publishNotReadyAddresses").asBoolean(false),
        HEADLESS + " must list ready pods only: DNS would hand out pods that cannot serve");
    assertEquals(strings(m.get("Service", SERVER).at("/spec/selector")), strings(headless.at("/spec/selector")),
        HEADLESS + " must select exactly what greeter-server selects");
    JsonNode container = container(m.get("Deployment", SERVER));
    JsonNode port = servicePort(headless, "grpc");
    assertEquals(servicePort(m.get("Service", SERVER), "grpc").path("port").asInt(), port.path("port").asInt(),
        HEADLESS + " port 'grpc' must be greeter-server's");
    assertEquals(containerPort(container, "grpc").path("containerPort").asInt(), targetContainerPort(port, container),
        HEADLESS + " targetPort must reach the server");
    DnsConfig dns = clientConfig(m).dns();
    String namespace = kustomization.path("namespace").asText("default");
    assertEquals(DnsConfig.headlessName(namespace), dns.name(),
        "ClientWithDnsResolver must resolve the headless Service in the namespace kustomization.yaml applies");
    assertTrue(dns.name().startsWith(headless.at("/metadata/name").asText() + "."), "the name resolved is " + dns.name());
  }

  /** The client's config as its pod would parse it: the manifest's args and env, plus what the kubelet adds. */
  static ClientConfig clientConfig(Manifests m) {
    JsonNode container = container(m.get("Deployment", CLIENT));
    Map<String, String> env = podEnv(container);
    Map<String, String> inPod = new HashMap<>(KUBELET_ENV);
    inPod.putAll(env);
    Set<String> envRead = new HashSet<>();
    Flags flags = Flags.parse(args(container), recording(inPod, envRead));
    assertEquals("client", flags.text(FlagTable.MODE), CLIENT + " args must say --mode client");
    ClientConfig config;
    try {
      config = ClientConfig.from(flags);
      ApiAccess.from(flags);
      flags.rejectUnknown(Mode.CLIENT);
    } catch (ConfigException e) {
      throw new AssertionError(CLIENT + " args/env rejected by the code: " + e.getMessage(), e);
    }
    try {
      // The Vert.x bridge reads these two itself: they must point it at the client's loopback guard.
      ServiceBridge.guardPort(inPod, config.kube());
      envRead.addAll(Set.of("KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"));
    } catch (IllegalStateException e) {
      throw new AssertionError(CLIENT + ": " + e.getMessage(), e);
    }
    assertEquals(Set.of(), minus(env.keySet(), envRead), CLIENT + " sets env vars the client never reads");
    return config;
  }

  static void checkClient(Manifests m) {
    JsonNode deployment = m.get("Deployment", CLIENT);
    JsonNode container = container(deployment);
    JsonNode token = envVar(container, ApiAccess.TOKEN_ENV).path("valueFrom").path("secretKeyRef");
    assertEquals("greeter-client-api-token", token.path("name").asText(), "the API token comes from a Secret");
    assertEquals("token", token.path("key").asText());
    assertTrue(token.path("optional").asBoolean(), "an absent Secret leaves the API open, as the write-up's walkthrough"
        + " expects, instead of a pod that never starts");
    ClientConfig config = clientConfig(m);
    assertEquals("0.0.0.0", config.httpHost(), "the client must listen on all addresses: probes and the NodePort dial the pod IP");
    assertEquals(FlagTable.HTTP_PORT.defaultValue(), config.httpPort(), "the client's HTTP port (the code's default, 8080)");
    assertEquals(config.httpPort(), containerPort(container, "http").path("containerPort").asInt(),
        "container port 'http' must be the port the client listens on");
    checkScraped(deployment, config.httpPort());

    JsonNode serverService = m.get("Service", SERVER);
    String serviceName = serverService.at("/metadata/name").asText();
    assertTrue(config.target().host().equals(serviceName) || config.target().host().startsWith(serviceName + "."),
        "the client's target " + config.target() + " must be the greeter-server Service");
    assertEquals(servicePort(serverService, "grpc").path("port").asInt(), config.target().port(),
        "the client's target port must be greeter-server's port 'grpc'");

    KubeConfig kube = config.kube();
    assertTrue(kube != null && kube.tls(), "in a pod, ClientWithKubeResolver must find the API server over https");
    assertEquals(serviceName, kube.service(), "ClientWithKubeResolver must balance over the greeter-server Service");
    servicePort(serverService, kube.servicePort());

    for (String kind : List.of("readinessProbe", "livenessProbe")) {
      JsonNode get = container.path(kind).path("httpGet");
      assertTrue(get.isObject(), CLIENT + " " + kind + " must be an httpGet probe");
      assertEquals("/healthz", get.path("path").asText(), CLIENT + " " + kind + " path");
      assertEquals(config.httpPort(), resolvePort(get.path("port"), container), CLIENT + " " + kind + " must probe the HTTP port");
      assertEquals("HTTP", get.path("scheme").asText("HTTP"), CLIENT + " " + kind + " scheme");
    }

    JsonNode service = m.get("Service", CLIENT);
    assertEquals("NodePort", service.at("/spec/type").asText(), "greeter-client is reached through a NodePort");
    JsonNode port = servicePort(service, "http");
    assertEquals(FlagTable.HTTP_PORT.defaultValue(), port.path("port").asInt(), "Service greeter-client port (the reference's :8080)");
    assertEquals(config.httpPort(), targetContainerPort(port, container), "Service greeter-client targetPort must reach the client");

    JsonNode pod = deployment.at("/spec/template/spec");
    assertEquals(CLIENT, pod.path("serviceAccountName").asText(), "the client pod must run as the greeter-client ServiceAccount");
    assertTrue(pod.path("automountServiceAccountToken").asBoolean(true), "the client needs its token to watch EndpointSlices");

    long heap = bytes(container.at("/resources/limits/memory").asText()) * maxRamPercentage(dockerfile) / 100;
    assertTrue(heap >= ClientConfig.MIN_IN_FLIGHT * HEAP_PER_CALL, "the client's memory limit gives a " + heap / (1 << 20)
        + " MiB heap, too small for " + ClientConfig.MIN_IN_FLIGHT + " calls in flight");
  }

  /** The pods carry the usual Prometheus annotations, naming the port and path the code serves /metrics on. */
  static void checkScraped(JsonNode deployment, int metricsPort) {
    JsonNode annotations = deployment.at("/spec/template/metadata/annotations");
    String name = deployment.at("/metadata/name").asText();
    assertEquals("true", annotations.path("prometheus.io/scrape").asText(), name + " pods: prometheus.io/scrape");
    assertEquals(String.valueOf(metricsPort), annotations.path("prometheus.io/port").asText(),
        name + " pods: prometheus.io/port must be the port /metrics is served on");
    assertEquals(lab.grpclb.metrics.Metrics.PATH, annotations.path("prometheus.io/path").asText(),
        name + " pods: prometheus.io/path");
  }

  static void checkRbac(Manifests m) {
    JsonNode account = m.get("ServiceAccount", CLIENT);
    assertEquals("v1", account.path("apiVersion").asText());
    JsonNode role = m.get("Role", CLIENT);
    assertEquals("rbac.authorization.k8s.io/v1", role.path("apiVersion").asText());
    Set<String> granted = new TreeSet<>();
    for (JsonNode rule : role.path("rules")) {
      assertTrue(rule.path("resourceNames").isMissingNode(), "resourceNames would forbid list/watch");
      assertTrue(rule.path("nonResourceURLs").isMissingNode(), "a Role grants no nonResourceURLs");
      for (JsonNode group : rule.path("apiGroups")) {
        for (JsonNode resource : rule.path("resources")) {
          for (JsonNode verb : rule.path("verbs")) {
            granted.add((group.asText().isEmpty() ? "core" : group.asText()) + "/" + resource.asText() + ":" + verb.asText());
          }
        }
      }
    }
    KubeConfig kube = clientConfig(m).kube();
    String slicesPath = EndpointSliceWatch.path(kube);
    String service = m.get("Service", SERVER).at("/metadata/name").asText();
    assertTrue(URLDecoder.decode(slicesPath, StandardCharsets.UTF_8).endsWith("labelSelector=kubernetes.io/service-name=" + service),
        "the EndpointSlice watch must select greeter-server's slices: " + slicesPath);
    Set<String> requested = new TreeSet<>();
    for (String path : List.of(BRIDGE_SERVICES_PATH, slicesPath)) {
      for (String verb : READ_VERBS) {
        requested.add(rbacResourceOf(path) + ":" + verb);
      }
    }
    assertEquals(requested, granted, "the Role must grant get/list/watch on exactly the resources the client reads");

    JsonNode binding = m.get("RoleBinding", CLIENT);
    assertEquals("rbac.authorization.k8s.io", binding.at("/roleRef/apiGroup").asText());
    assertEquals("Role", binding.at("/roleRef/kind").asText(), "bind the namespaced Role, not a ClusterRole");
    assertEquals(role.at("/metadata/name").asText(), binding.at("/roleRef/name").asText(), "RoleBinding roleRef");
    assertEquals(1, binding.path("subjects").size(), "RoleBinding subjects");
    JsonNode subject = binding.at("/subjects/0");
    assertEquals("ServiceAccount", subject.path("kind").asText());
    assertEquals(account.at("/metadata/name").asText(), subject.path("name").asText(), "RoleBinding subject");
    assertTrue(subject.path("namespace").isTextual(), "a ServiceAccount subject needs its namespace");
    assertEquals(account.at("/metadata/name").asText(),
        m.get("Deployment", CLIENT).at("/spec/template/spec/serviceAccountName").asText(),
        "the client pod must use the bound ServiceAccount");
  }

  static void checkHardening(Manifests m, Dockerfile docker) {
    long[] user = docker.runtimeUser();
    Set<String> images = new TreeSet<>();
    for (String name : List.of(SERVER, CLIENT)) {
      JsonNode pod = m.get("Deployment", name).at("/spec/template/spec");
      JsonNode podSecurity = pod.path("securityContext");
      assertTrue(podSecurity.path("runAsNonRoot").asBoolean(false), name + ": runAsNonRoot: true");
      assertEquals(user[0], podSecurity.path("runAsUser").asLong(-1), name + ": runAsUser must be the image's USER");
      assertEquals(user[1], podSecurity.path("runAsGroup").asLong(-1), name + ": runAsGroup must be the image's group");
      assertEquals("RuntimeDefault", podSecurity.at("/seccompProfile/type").asText(), name + ": seccompProfile RuntimeDefault");
      for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
        assertFalse(pod.path(host).asBoolean(false), name + ": " + host);
      }
      JsonNode container = container(m.get("Deployment", name));
      JsonNode security = container.path("securityContext");
      assertTrue(security.path("allowPrivilegeEscalation").isBoolean() && !security.path("allowPrivilegeEscalation").asBoolean(),
          name + ": allowPrivilegeEscalation: false");
      assertTrue(security.path("readOnlyRootFilesystem").asBoolean(false), name + ": readOnlyRootFilesystem: true");
      assertFalse(security.path("privileged").asBoolean(false), name + ": privileged");
      assertEquals(List.of("ALL"), texts(security.at("/capabilities/drop")), name + ": capabilities.drop [ALL]");
      assertTrue(security.at("/capabilities/add").isMissingNode(), name + ": no capabilities added");
      assertTrue(security.path("runAsUser").isMissingNode() || security.path("runAsUser").asLong() != 0, name + ": container runAsUser 0");

      for (String written : docker.writtenPaths()) {
        assertTrue(writable(pod, container, written), name + ": the JVM writes under " + written
            + " but no emptyDir is mounted there (root filesystem is read-only)");
      }

      JsonNode resources = container.path("resources");
      for (String request : List.of("cpu", "memory")) {
        assertTrue(resources.path("requests").path(request).isValueNode(), name + ": resources.requests." + request);
      }
      assertTrue(resources.at("/limits/memory").isValueNode(), name + ": resources.limits.memory (the JVM sizes its heap from it)");
      assertTrue(bytes(resources.at("/limits/memory").asText()) >= bytes(resources.at("/requests/memory").asText()),
          name + ": memory limit below request");

      images.add(container.path("image").asText());
      assertEquals("Never", container.path("imagePullPolicy").asText(),
          name + ": the image is built inside minikube's Docker engine, never pulled");
    }
    assertEquals(Set.of(IMAGE), images, "both modes run the one image docs/minikube.md builds");
  }

  static void checkDockerfile(Dockerfile docker, Pom pom, Manifests m) {
    assertTrue(docker.stages.size() >= 2, "multi-stage build");
    Dockerfile.Stage build = docker.stages.get(0);
    Dockerfile.Stage runtime = docker.stages.get(docker.stages.size() - 1);
    assertTrue(build.image().matches("maven:3\\.9[^:]*-eclipse-temurin-" + pom.javaRelease() + "(-.*)?"),
        "build stage " + build.image() + " must be Maven 3.9 on JDK " + pom.javaRelease() + " (maven.compiler.release)");
    assertTrue(runtime.image().matches("eclipse-temurin:" + pom.javaRelease() + "(\\.[0-9.]+)?(_[0-9]+)?-jre(-.*)?"),
        "runtime stage " + runtime.image() + " must be a Java " + pom.javaRelease() + " JRE");

    // Dependencies in their own layer: pom.xml copied and Maven run before the sources arrive.
    int pomCopy = build.indexOf(i -> i.is("COPY") && i.sources().equals(List.of("pom.xml")));
    int firstMvn = build.indexOf(i -> i.is("RUN") && i.args().startsWith("mvn "));
    int sourcesCopy = build.indexOf(i -> i.is("COPY") && i.sources().equals(List.of("src")));
    int lastMvn = build.lastIndexOf(i -> i.is("RUN") && i.args().contains("mvn ") && i.args().contains("package"));
    assertTrue(pomCopy >= 0 && pomCopy < firstMvn && firstMvn < sourcesCopy && sourcesCopy < lastMvn,
        "build stage must COPY pom.xml, RUN mvn (cached dependencies), then COPY src and package");
    for (Dockerfile.Instruction i : docker.all()) {
      assertFalse(i.is("RUN") && i.args().contains("--mount"), "RUN --mount needs BuildKit: keep the Dockerfile classic-builder friendly");
    }

    String jar = "target/" + pom.finalName() + ".jar";
    Dockerfile.Instruction copyJar = runtime.instructions().stream()
        .filter(i -> i.is("COPY") && i.args().contains("--from=" + build.name()) && i.sources().size() == 1 && i.sources().get(0).endsWith("/" + jar))
        .findFirst().orElseThrow(() -> new AssertionError("runtime stage must COPY --from=" + build.name() + " .../" + jar + " (pom finalName)"));
    String installed = runtime.resolve(copyJar, copyJar.destination());

    List<String> entrypoint = docker.entrypoint();
    assertEquals("java", entrypoint.get(0), "ENTRYPOINT runs java (exec form, so java gets SIGTERM)");
    int jarFlag = entrypoint.indexOf("-jar");
    assertTrue(jarFlag > 0 && jarFlag == entrypoint.size() - 2, "ENTRYPOINT ends with -jar <jar>: " + entrypoint);
    assertEquals(installed, runtime.resolve(null, entrypoint.get(jarFlag + 1)), "ENTRYPOINT runs the jar the stage installed");
    assertTrue(entrypoint.contains("-XX:+ExitOnOutOfMemoryError"), "ENTRYPOINT: -XX:+ExitOnOutOfMemoryError");
    assertTrue(maxRamPercentage(docker) >= 50 && maxRamPercentage(docker) <= 80, "ENTRYPOINT: -XX:MaxRAMPercentage in 50..80");
    assertTrue(entrypoint.stream().noneMatch(arg -> arg.startsWith("-Xmx")), "a fixed -Xmx ignores the container's memory limit");
    assertTrue(entrypoint.containsAll(Benchmark.GC_FLAGS), "ENTRYPOINT runs the collector the benchmark measured: "
        + Benchmark.GC_FLAGS);

    Set<Integer> exposed = docker.exposed();
    assertTrue(exposed.contains(FlagTable.PORT.defaultValue()), "EXPOSE " + FlagTable.PORT.defaultValue());
    assertTrue(exposed.contains(FlagTable.HTTP_PORT.defaultValue()), "EXPOSE " + FlagTable.HTTP_PORT.defaultValue());
    for (String name : List.of(SERVER, CLIENT)) {
      for (JsonNode port : container(m.get("Deployment", name)).path("ports")) {
        assertTrue(exposed.contains(port.path("containerPort").asInt()), "EXPOSE misses " + name + "'s port " + port);
      }
    }
    long[] user = docker.runtimeUser();
    assertTrue(user[0] > 0 && user[1] > 0, "USER must be a numeric non-root uid:gid");
  }

  // ---------------------------------------------------------------------------------------------------
  // Kubernetes helpers.

  /** The RBAC "group/resource" an API path reads: /api/v1/namespaces/NS/R or /apis/G/V/namespaces/NS/R. */
  static String rbacResourceOf(String path) {
    Matcher core = Pattern.compile("^/api/v1/namespaces/[^/]+/([a-z]+)(\\?.*)?$").matcher(path);
    if (core.matches()) {
      return "core/" + core.group(1);
    }
    Matcher named = Pattern.compile("^/apis/([^/]+)/[^/]+/namespaces/[^/]+/([a-z]+)(\\?.*)?$").matcher(path);
    if (named.matches()) {
      return named.group(1) + "/" + named.group(2);
    }
    throw new AssertionError("not a namespaced collection path: " + path);
  }

  static JsonNode container(JsonNode deployment) {
    return deployment.at("/spec/template/spec/containers/0");
  }

  static Map<String, String> podLabels(JsonNode deployment) {
    return strings(deployment.at("/spec/template/metadata/labels"));
  }

  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  static String[] args(JsonNode container) {
    assertTrue(container.path("command").isMissingNode(), "keep the image's ENTRYPOINT: give args, not command");
    return texts(container.path("args")).toArray(String[]::new);
  }

  static JsonNode envVar(JsonNode container, String name) {
    for (JsonNode var : container.path("env")) {
      if (var.path("name").asText().equals(name)) {
        return var;
      }
    }
    throw new AssertionError("the container sets no env " + name);
  }

  /** The container's env as the pod sees it; downward-API fields get a sample value. */
  static Map<String, String> podEnv(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode var : container.path("env")) {
      String name = var.path("name").asText();
      if (var.has("value")) {
        env.put(name, var.path("value").asText());
      } else if (var.at("/valueFrom/fieldRef/fieldPath").asText().equals("status.podIP")) {
        env.put(name, SAMPLE_POD_IP);
      } else {
        env.put(name, "<" + var.path("valueFrom") + ">");
      }
    }
    assertTrue(container.path("envFrom").isMissingNode(), "envFrom hides which variables a pod gets");
    return env;
  }

  /** An env map that notes which variables the code asked for. */
  static Map<String, String> recording(Map<String, String> env, Set<String> read) {
    return new HashMap<>(env) {
      @Override
      public String get(Object key) {
        read.add(String.valueOf(key));
        return super.get(key);
      }

      @Override
      public String getOrDefault(Object key, String fallback) {
        read.add(String.valueOf(key));
        return super.getOrDefault(key, fallback);
      }

      @Override
      public boolean containsKey(Object key) {
        read.add(String.valueOf(key));
        return super.containsKey(key);
      }
    };
  }

  static JsonNode containerPort(JsonNode container, String name) {
    for (JsonNode port : container.path("ports")) {
      if (port.path("name").asText().equals(name)) {
        return port;
      }
    }
    throw new AssertionError("container " + container.path("name").asText() + " has no port named " + name);
  }

  static JsonNode servicePort(JsonNode service, String name) {
    for (JsonNode port : service.at("/spec/ports")) {
      if (port.path("name").asText().equals(name)) {
        return port;
      }
    }
    throw new AssertionError("Service " + service.at("/metadata/name").asText() + " has no port named " + name);
  }

  /** A probe's or Service's port, by number or by container port name. */
  static int resolvePort(JsonNode port, JsonNode container) {
    if (port.isInt()) {
      return port.asInt();
    }
    return containerPort(container, port.asText()).path("containerPort").asInt();
  }

  static int targetContainerPort(JsonNode servicePort, JsonNode container) {
    JsonNode target = servicePort.has("targetPort") ? servicePort.path("targetPort") : servicePort.path("port");
    int number = resolvePort(target, container);
    for (JsonNode port : container.path("ports")) {
      if (port.path("containerPort").asInt() == number) {
        return number;
      }
    }
    throw new AssertionError("targetPort " + target + " is no port of container " + container.path("name").asText());
  }

  static long preStopMs(JsonNode container) {
    JsonNode preStop = container.at("/lifecycle/preStop");
    if (preStop.isMissingNode()) {
      return 0;
    }
    if (preStop.has("sleep")) {
      return preStop.at("/sleep/seconds").asLong() * 1000;
    }
    List<String> command = texts(preStop.at("/exec/command"));
    if (command.size() == 2 && command.get(0).equals("sleep") && command.get(1).matches("\\d+")) {
      return Long.parseLong(command.get(1)) * 1000;
    }
    throw new AssertionError("cannot tell how long preStop " + preStop + " takes");
  }

  /** Whether a path is on an emptyDir volume mounted writable in this container. */
  static boolean writable(JsonNode pod, JsonNode container, String path) {
    for (JsonNode mount : container.path("volumeMounts")) {
      String at = mount.path("mountPath").asText();
      boolean under = path.equals(at) || path.startsWith(at.endsWith("/") ? at : at + "/");
      if (under && !mount.path("readOnly").asBoolean(false)) {
        for (JsonNode volume : pod.path("volumes")) {
          if (volume.path("name").asText().equals(mount.path("name").asText()) && volume.has("emptyDir")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Kubernetes memory quantity in bytes: 128Mi, 1Gi, 500M, 1048576. */
  static long bytes(String quantity) {
    if (quantity.isBlank()) {
      throw new AssertionError("memory quantity missing (resources.limits.memory / requests.memory)");
    }
    Matcher q = Pattern.compile("^(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$").matcher(quantity);
    if (!q.matches()) {
      throw new AssertionError("unsupported memory quantity '" + quantity + "'");
    }
    long n = Long.parseLong(q.group(1));
    String unit = q.group(2) == null ? "" : q.group(2);
    return switch (unit) {
      case "Ki" -> n << 10;
      case "Mi" -> n << 20;
      case "Gi" -> n << 30;
      case "Ti" -> n << 40;
      case "k" -> n * 1_000L;
      case "M" -> n * 1_000_000L;
      case "G" -> n * 1_000_000_000L;
      case "T" -> n * 1_000_000_000_000L;
      default -> n;
    };
  }

  static int maxRamPercentage(Dockerfile docker) {
    for (String arg : docker.entrypoint()) {
      if (arg.startsWith("-XX:MaxRAMPercentage=")) {
        return (int) Double.parseDouble(arg.substring("-XX:MaxRAMPercentage=".length()));
      }
    }
    throw new AssertionError("ENTRYPOINT sets no -XX:MaxRAMPercentage: the heap would be 25% of the limit");
  }

  static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> d = new TreeSet<>(a);
    d.removeAll(b);
    return d;
  }

  static final MethodDescriptor<HealthCheckRequest, HealthCheckResponse> HEALTH_CHECK =
      MethodDescriptor.<HealthCheckRequest, HealthCheckResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("grpc.health.v1.Health", "Check"))
          .setRequestMarshaller(ProtoUtils.marshaller(HealthCheckRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(HealthCheckResponse.getDefaultInstance()))
          .build();
}

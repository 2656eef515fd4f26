package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import lab.grpclb.Await;
import lab.grpclb.Http;
import lab.grpclb.client.SharedChannel;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.LocalConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kubectl against a real local mode, with nothing but the KUBECONFIG it writes: pods on 127.0.0.2+
 * sharing gRPC port 50091 (no other test uses it). Without kubectl on the PATH, the kubectl tests are
 * skipped, saying so.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlTest {
  static final int GRPC_PORT = 50091;
  static final String SLICE = "greeter-server-x7k2p";

  Path dir;
  Vertx vertx;
  TestClusters.Cluster lab;
  LocalMode local;
  HttpClient api;
  final List<String> banner = new ArrayList<>();

  @BeforeAll
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.dir = dir;
    this.vertx = vertx;
    Handler bannerCapture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        banner.add(record.getMessage());
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger logger = Logger.getLogger(LocalMode.class.getName());
    logger.addHandler(bannerCapture);
    try {
      lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "20",
          "--kubeconfig", dir.resolve("kube/config").toString());
      local = lab.local();
    } finally {
      logger.removeHandler(bannerCapture);
    }
    // kubectl opens a connection per command: so does this client
    api = vertx.createHttpClient(TestClusters.controlPlaneTls(local).setKeepAlive(false));
  }

  @AfterAll
  void stop() throws Exception {
    api.close().await(5, TimeUnit.SECONDS);
    lab.close();
  }

  /** Every test starts from 3 ready replicas, once the last test's rollout, if any, is over. */
  @BeforeEach
  void threeReplicas() throws Exception {
    Await.until(() -> {
      try {
        return !view().getBoolean("rollout_in_progress");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the last rollout is over");
    lab.scale(3);
  }

  record KubectlRun(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static final boolean KUBECTL = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
  static final String NO_KUBECTL = "kubectl is not on the PATH: the kubectl tests are skipped (they ran with kubectl 1.32; see TESTING.md)";

  static {
    if (!KUBECTL) {
      System.err.println("KubectlTest: " + NO_KUBECTL);
    }
  }

  static void assumeKubectl() {
    Assumptions.assumeTrue(KUBECTL, NO_KUBECTL);
  }

  /** kubectl with only PATH, KUBECONFIG and a fresh HOME (for its discovery cache): no --server, no token. */
  ProcessBuilder kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv("PATH"));
    builder.environment().put("HOME", dir.resolve("home").toString());
    builder.environment().put("KUBECONFIG", local.kubeconfig());
    return builder;
  }

  /** Runs kubectl on the JUnit thread, never an event loop, and expects it to succeed. */
  KubectlRun run(String... args) throws Exception {
    KubectlRun run = attempt(args);
    assertEquals(0, run.exit(), "kubectl " + String.join(" ", args) + ": " + run.err());
    return run;
  }

  /** Runs kubectl, whatever its exit status. */
  KubectlRun attempt(String... args) throws Exception {
    Process process = kubectl(args).start();
    // stderr on a thread of its own: a long warning must not block kubectl while stdout is read
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    String out = read(process.getInputStream());
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "kubectl " + String.join(" ", args) + " finished");
    return new KubectlRun(process.exitValue(), out, err.get(5, TimeUnit.SECONDS));
  }

  static String read(java.io.InputStream stream) {
    try {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code kubectl ARGS} running on, its output lines queued as they come (a watch); stop it with destroy. */
  record Watching(Process process, BlockingQueue<String> lines, List<String> seen) {
    /** The next line that matches, within 10 s. */
    String await(Predicate<String> wanted) throws InterruptedException {
      return KubectlTest.await(lines, seen, wanted);
    }

    void stop() throws InterruptedException {
      process.destroy();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "kubectl stopped");
    }
  }

  Watching watch(String... args) throws IOException {
    Process process = kubectl(args).redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ended) {
        // the watch was stopped
      }
    }, "kubectl-watch-reader");
    reader.start();
    return new Watching(process, lines, new ArrayList<>());
  }

  /** GET /cluster on the client's port: what the cluster runs. */
  JsonObject view() throws Exception {
    return lab.send(HttpMethod.GET, "/cluster").body();
  }

  /** Waits until ClientWithKubeResolver picks exactly the pods /cluster lists ready, and that many. */
  void awaitBalancerPicksReadyPods(int ready) throws Exception {
    Await.until(() -> {
      try {
        Set<String> ips = lab.readyIps();
        return ips.size() == ready && kubeResolverTargets().equals(ips);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "ClientWithKubeResolver picks the " + ready + " ready pods");
  }

  Set<String> kubeResolverTargets() throws Exception {
    Set<String> ips = new TreeSet<>();
    lab.send(HttpMethod.GET, "/status").body().getJsonObject("types").getJsonObject("ClientWithKubeResolver")
        .getJsonArray("targets").forEach(t -> ips.add(String.valueOf(t).replaceFirst(":\\d+$", "")));
    return ips;
  }

  /** An experiment's count_per_ip: the pods its calls reached. */
  Set<String> podsReached(int n) throws Exception {
    Http.Answer answer = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithKubeResolver&n=" + n);
    assertEquals(200, answer.status(), answer.body().encode());
    return new TreeSet<>(answer.body().getJsonObject("count_per_ip").fieldNames());
  }

  /** A line's columns: kubectl puts two spaces or more between them. */
  static List<String> columns(String line) {
    return List.of(line.trim().split("\\s{2,}"));
  }

  @Test
  void localModeAnnouncesTheKubeconfigItWroteInOneExportLine() throws Exception {
    Path file = Path.of(local.kubeconfig());
    assertEquals(dir.resolve("kube/config").toAbsolutePath(), file);
    String yaml = Files.readString(file);
    assertTrue(yaml.contains("server: " + local.controlPlane().url()), yaml);
    String text = String.join("\n", banner);
    assertEquals(1, text.lines().filter(l -> l.trim().startsWith("export KUBECONFIG=")).count(), text);
    assertTrue(text.lines().anyMatch(l -> l.trim().equals("export KUBECONFIG=" + file)), text);
  }

  @Test
  void getPodsWideListsEachPodWithItsIpAndNode() throws Exception {
    assumeKubectl();
    KubectlRun run = run("get", "pods", "-o", "wide");
    assertEquals(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        columns(run.lines().get(0)));
    assertEquals(4, run.lines().size(), run.out());
    for (Pod pod : local.cluster().pods()) {
      List<String> cells = columns(line(run, pod.name()));
      assertEquals(List.of(pod.name(), "1/1", "Running", "0"), cells.subList(0, 4), run.out());
      assertEquals(List.of(pod.ip(), Kubelet.NODE, "<none>", "<none>"), cells.subList(5, 9), run.out());
    }
  }

  @Test
  void getEndpointSlicesShowsTheAddressesOfTheReadyPods() throws Exception {
    assumeKubectl();
    KubectlRun run = run("get", "endpointslices");
    assertEquals(List.of("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), columns(run.lines().get(0)));
    List<String> cells = columns(line(run, SLICE));
    List<String> ips = local.cluster().pods().stream().map(Pod::ip).sorted().toList();
    assertEquals(List.of(SLICE, "IPv4", String.valueOf(GRPC_PORT)), cells.subList(0, 3), run.out());
    assertEquals(ips, List.of(cells.get(3).split(",")).stream().sorted().toList(), run.out());
  }

  @Test
  void getServicesAndAllThreeAtOnceNeedOnlyTheKubeconfig() throws Exception {
    assumeKubectl();
    KubectlRun services = run("get", "services");
    assertEquals(List.of("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), columns(services.lines().get(0)));
    assertEquals(List.of("greeter-server", "ClusterIP", LocalConfig.SERVICE_IP, "<none>", GRPC_PORT + "/TCP"),
        columns(line(services, "greeter-server")).subList(0, 5));

    KubectlRun all = run("get", "services,endpointslices,pods", "-o", "wide");
    assertTrue(all.out().contains("service/greeter-server"), all.out());
    assertTrue(all.out().contains("endpointslice.discovery.k8s.io/" + SLICE), all.out());
    for (Pod pod : local.cluster().pods()) {
      assertTrue(all.out().contains("pod/" + pod.name()), all.out());
    }
  }

  @Test
  void aWatchSeesADeletedPodTurnTerminatingAndItsReplacementBecomeReady() throws Exception {
    assumeKubectl();
    Watching watching = watch("get", "pods", "--watch", "--output-watch-events");
    BlockingQueue<String> lines = watching.lines();
    List<String> seen = watching.seen();
    try {
      for (Pod pod : local.cluster().pods()) {
        await(lines, seen, l -> l.startsWith("ADDED") && l.contains(pod.name()));
      }
      Pod victim = local.cluster().pods().iterator().next();
      JsonObject deleted = lab.send(HttpMethod.DELETE, "/cluster/pods/" + victim.name()).body();
      String replacement = deleted.getJsonObject("replacement").getString("name");

      List<String> terminating = columns(await(lines, seen, l -> l.startsWith("MODIFIED") && l.contains(victim.name())));
      assertEquals(List.of("MODIFIED", victim.name(), "1/1", "Terminating"), terminating.subList(0, 4), String.join("\n", seen));
      await(lines, seen, l -> l.startsWith("ADDED") && l.contains(replacement));
      List<String> ready = columns(await(lines, seen, l -> l.contains(replacement) && l.contains("Running")));
      assertEquals(List.of("MODIFIED", replacement, "1/1", "Running"), ready.subList(0, 4), String.join("\n", seen));
      // the victim (no calls to drain) may be gone before its replacement is ready: then the line is already read
      java.util.function.Predicate<String> gone = l -> l.startsWith("DELETED") && l.contains(victim.name());
      if (seen.stream().noneMatch(gone)) {
        await(lines, seen, gone);
      }
    } finally {
      watching.stop();
    }
  }

  /** The next line the watch prints that matches, within 10 s; every line read goes into {@code seen}. */
  static String await(BlockingQueue<String> lines, List<String> seen, Predicate<String> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (wanted.test(line)) {
          return line;
        }
      }
    }
    throw new AssertionError("the watch never printed the line expected; it printed:\n" + String.join("\n", seen));
  }

  static String line(KubectlRun run, String name) {
    return run.lines().stream().filter(l -> l.startsWith(name + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no line for " + name + " in:\n" + run.out()));
  }

  record ApiAnswer(int status, JsonObject body) {
  }

  /**
   * A GET to the control plane as kubectl sends it, over TLS, but anonymous: asking for a Table. The body is asked for in the
   * send step, on the event loop: asked for from this thread, it can come after the response ended and never
   * arrive (see ResponseBodyRaceTest).
   */
  ApiAnswer table(String uri) throws Exception {
    return api.request(HttpMethod.GET, local.controlPlane().port(), "127.0.0.1", uri)
        .compose(req -> req.putHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").send()
            .compose(resp -> {
              assertEquals(resp.statusCode() == 200 ? TableOutput.CONTENT_TYPE : "application/json", resp.getHeader("content-type"));
              return resp.body().map(b -> new ApiAnswer(resp.statusCode(), b.toJsonObject()));
            })).await(3, TimeUnit.SECONDS);
  }

  /** Without kubectl: the columns with their priorities, and the rows' metadata. */
  @Test
  void theTableOfPodsHasTheRealServersColumnsAndRowsCarryTheObjectsMetadata() throws Exception {
    JsonObject table = table(ApiResource.PODS.path("default")).body();
    assertEquals("Table", table.getString("kind"));
    List<String> columns = new ArrayList<>();
    table.getJsonArray("columnDefinitions").forEach(c -> columns.add(((JsonObject) c).getString("name") + "/" + ((JsonObject) c).getInteger("priority")));
    assertEquals(List.of("Name/0", "Ready/0", "Status/0", "Restarts/0", "Age/0", "IP/1", "Node/1", "Nominated Node/1", "Readiness Gates/1"), columns);
    JsonArray rows = table.getJsonArray("rows");
    assertEquals(3, rows.size());
    JsonObject object = rows.getJsonObject(0).getJsonObject("object");
    assertEquals("PartialObjectMetadata", object.getString("kind"));
    assertEquals(LocalCluster.DEPLOYMENT, object.getJsonObject("metadata").getJsonObject("labels").getString("app"));
    assertTrue(object.getJsonObject("metadata").containsKey("uid"), object.encode());
  }

  @Test
  void includeObjectChoosesWhatEachRowCarriesAndABadValueIsA400NamingTheValidOnes() throws Exception {
    JsonObject whole = table(ApiResource.PODS.path("default") + "?includeObject=Object").body().getJsonArray("rows").getJsonObject(0);
    assertEquals("Pod", whole.getJsonObject("object").getString("kind"));
    assertEquals("Running", whole.getJsonObject("object").getJsonObject("status").getString("phase"));
    JsonObject bare = table(ApiResource.SERVICES.path("default") + "?includeObject=None").body().getJsonArray("rows").getJsonObject(0);
    assertTrue(!bare.containsKey("object"), bare.encode());
    ApiAnswer bad = table(ApiResource.PODS.path("default") + "?includeObject=All");
    assertEquals(400, bad.status());
    assertEquals("includeObject must be None, Metadata or Object, got 'All'", bad.body().getString("message"));
  }

  @Test
  void aListInAllNamespacesHasTheirColumnAndRbacNamesTheClusterScope() throws Exception {
    JsonObject all = table("/api/v1/pods?includeObject=Metadata").body();
    assertEquals(3, all.getJsonArray("rows").size());
    all.getJsonArray("rows").forEach(r -> assertEquals("default",
        ((JsonObject) r).getJsonObject("object").getJsonObject("metadata").getString("namespace")));
    local.controlPlane().forbid(ApiResource.PODS, true);
    try {
      ApiAnswer forbidden = table("/api/v1/pods");
      assertEquals(403, forbidden.status());
      assertTrue(forbidden.body().getString("message").endsWith("cannot list resource \"pods\" in API group \"\" at the cluster scope"),
          forbidden.body().encode());
    } finally {
      local.controlPlane().forbid(ApiResource.PODS, false);
    }
    if (KUBECTL) {
      KubectlRun run = run("get", "endpointslices", "-A");
      assertEquals(List.of("NAMESPACE", "NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"), columns(run.lines().get(0)));
      assertEquals(List.of("default", SLICE), columns(run.lines().get(1)).subList(0, 2), run.out());
    }
  }

  // ---- the write-up's walkthrough: the Deployment, and what kubectl changes with it ----

  /** The Deployment as {@code kubectl get -o json} shows it. */
  JsonObject deployment() throws Exception {
    return new JsonObject(run("get", "deployment", LocalCluster.DEPLOYMENT, "-o", "json").out());
  }

  /** Waits until the Deployment's status says it has observed its spec and runs {@code ready} ready pods of it. */
  void awaitDeploymentSettled(int ready) throws Exception {
    Await.until(() -> {
      try {
        JsonObject deployment = deployment();
        JsonObject status = deployment.getJsonObject("status");
        return status.getLong("observedGeneration").equals(deployment.getJsonObject("metadata").getLong("generation"))
            && status.getInteger("readyReplicas", 0) == ready && status.getInteger("updatedReplicas", 0) == ready
            && status.getInteger("replicas", 0) == ready;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the Deployment's status shows " + ready + " ready pods of its spec");
  }

  @Test
  void getDeploymentsHasTheRealServersColumnsAndItsStatusFollowsThePods() throws Exception {
    assumeKubectl();
    KubectlRun run = run("get", "deployments");
    assertEquals(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), columns(run.lines().get(0)));
    assertEquals(List.of(LocalCluster.DEPLOYMENT, "3/3", "3", "3"), columns(line(run, LocalCluster.DEPLOYMENT)).subList(0, 4));
    KubectlRun wide = run("get", "deploy", LocalCluster.DEPLOYMENT, "-o", "wide");
    assertEquals(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
        columns(wide.lines().get(0)));
    assertEquals(List.of(Kubelet.CONTAINER, Kubelet.IMAGE, "app=" + LocalCluster.DEPLOYMENT),
        columns(line(wide, LocalCluster.DEPLOYMENT)).subList(5, 8));
    JsonObject deployment = deployment();
    assertEquals("apps/v1", deployment.getString("apiVersion"));
    assertEquals(3, deployment.getJsonObject("spec").getInteger("replicas"));
    assertEquals(deployment.getJsonObject("metadata").getLong("generation"),
        deployment.getJsonObject("status").getLong("observedGeneration"));
    assertTrue(run("get", "all").out().contains("deployment.apps/" + LocalCluster.DEPLOYMENT), "in kubectl get all");
  }

  /** kubectl scale, as the write-up types it and in the singular: the scale subresource drives the pods and the balancer. */
  @Test
  void kubectlScaleScalesThePodsAndTheBalancerFollows() throws Exception {
    assumeKubectl();
    long generation = deployment().getJsonObject("metadata").getLong("generation");
    assertEquals("deployment.apps/greeter-server scaled", run("scale", "deployments/greeter-server", "--replicas=5").out().trim());
    assertEquals(5, view().getInteger("replicas"), "the same scale as POST /cluster/scale");
    awaitBalancerPicksReadyPods(5);
    assertEquals(lab.readyIps(), podsReached(50));
    awaitDeploymentSettled(5);
    assertEquals(generation + 1, deployment().getJsonObject("metadata").getLong("generation"), "a new spec, a new generation");

    assertEquals("deployment.apps/greeter-server scaled", run("scale", "deployment/greeter-server", "--replicas=2").out().trim());
    awaitBalancerPicksReadyPods(2);
    assertEquals(lab.readyIps(), podsReached(20));
    awaitDeploymentSettled(2);
    String replicaSet = "replica set greeter-server-" + local.cluster().template().hash();
    KubectlRun events = run("get", "events", "--field-selector", "reason=ScalingReplicaSet");
    assertEquals(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), columns(events.lines().get(0)));
    assertTrue(events.out().contains("deployment/greeter-server   Scaled up " + replicaSet + " from 3 to 5\n")
        && events.out().contains("Scaled down " + replicaSet + " from 5 to 2\n"), events.out());
  }

  @Test
  void aReplicaCountLocalModeCannotRunIsRefusedAsARealServerRefusesAnInvalidScale() throws Exception {
    assumeKubectl();
    KubectlRun refused = attempt("scale", "deployment/greeter-server", "--replicas=101");
    assertEquals(1, refused.exit(), refused.out());
    assertTrue(refused.err().startsWith("The Scale \"greeter-server\" is invalid: spec.replicas: Invalid value: 101: must be"
        + " no more than 100 in local mode"), refused.err());
    assertEquals(3, view().getInteger("replicas"), "nothing changed");
    assertEquals(3, deployment().getJsonObject("spec").getInteger("replicas"));
  }

  /** kubectl delete pod waits for the pod to go (DELETE answers it terminating, a watch sees it DELETED). */
  @Test
  void kubectlDeletePodReturnsOnceThePodIsGoneAndTheDeploymentReplacedIt() throws Exception {
    assumeKubectl();
    Pod victim = local.cluster().pods().iterator().next();
    assertEquals("pod \"" + victim.name() + "\" deleted", run("delete", "pod", victim.name()).out().trim());
    assertTrue(lab.pods().stream().noneMatch(p -> p.getString("name").equals(victim.name())), "gone when kubectl returns");
    KubectlRun events = run("get", "events", "--field-selector", "involvedObject.name=" + victim.name());
    assertEquals(List.of("Normal", "Killing", "pod/" + victim.name()), columns(events.lines().get(1)).subList(1, 4), events.out());
    awaitBalancerPicksReadyPods(3);
    assertTrue(!lab.readyIps().contains(victim.ip()), "the replacement has a new IP");
    assertEquals(lab.readyIps(), podsReached(30));
  }

  /** A call that takes 10 s, in flight on the pod. */
  SharedChannel callInFlight(Pod pod, List<Future<HelloReply>> calls) throws Exception {
    assertEquals(200, lab.send(HttpMethod.POST, "/cluster/pods/" + pod.name() + "/delay?ms=10000").status());
    SharedChannel channel = new SharedChannel(vertx, pod.address(), 30_000, 5_000, KeepAlive.OFF);
    channel.warmUp().await(5, TimeUnit.SECONDS);
    calls.add(channel.sayHello(HelloRequest.newBuilder().setName("grace").build()));
    Await.until(() -> pod.server().greeter().callsInFlight() == 1, "the call waits on the pod's timer");
    return channel;
  }

  /** --grace-period bounds the pod's drain as the kubelet's SIGKILL does; --force --grace-period=0 kills it at once. */
  @Test
  void theGracePeriodEndsThePodsDrainAndForceKillsAtOnce() throws Exception {
    assumeKubectl();
    List<Pod> pods = new ArrayList<>(local.cluster().pods());
    List<Future<HelloReply>> calls = new ArrayList<>();
    SharedChannel graceful = callInFlight(pods.get(0), calls);
    SharedChannel forced = callInFlight(pods.get(1), calls);
    try {
      long started = System.nanoTime();
      run("delete", "pod", pods.get(0).name(), "--grace-period=1");
      long gracefulMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(gracefulMs >= 900 && gracefulMs < 5_000, "the 10 s call was cut after the 1 s grace period: " + gracefulMs + " ms");
      Await.until(() -> calls.get(0).failed(), "the call in flight fails: it did not outlive the grace period");

      started = System.nanoTime();
      assertEquals("pod \"" + pods.get(1).name() + "\" force deleted",
          run("delete", "pod", pods.get(1).name(), "--force", "--grace-period=0").out().trim());
      long forcedMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(forcedMs < 900, "killed at once: " + forcedMs + " ms");
      Await.until(() -> calls.get(1).failed(), "the killed pod's call fails");
      awaitBalancerPicksReadyPods(3);
    } finally {
      graceful.close();
      forced.close();
    }
  }

  /**
   * kubectl rollout restart stamps the template; every pod is replaced, and kubectl rollout status watches the
   * Deployment's generation and counts until they say so (UP-TO-DATE falls to 0 at once, then climbs back).
   */
  @Test
  void rolloutRestartReplacesEveryPodAndRolloutStatusWatchesItHappen() throws Exception {
    assumeKubectl();
    Set<String> before = local.cluster().pods().stream().map(Pod::name).collect(java.util.stream.Collectors.toSet());
    Watching watching = watch("get", "deployments", "--watch", "--output-watch-events");
    try {
      watching.await(l -> l.startsWith("ADDED") && l.contains(LocalCluster.DEPLOYMENT));
      assertEquals("deployment.apps/greeter-server restarted", run("rollout", "restart", "deployment/greeter-server").out().trim());
      List<String> status = run("rollout", "status", "deployment/greeter-server", "--timeout=20s").lines();
      assertEquals("deployment \"greeter-server\" successfully rolled out", status.get(status.size() - 1), String.join("\n", status));
      watching.await(l -> columns(l).size() > 3 && columns(l).get(3).equals("0"));
      watching.await(l -> columns(l).subList(0, 5).equals(List.of("MODIFIED", LocalCluster.DEPLOYMENT, "3/3", "3", "3")));
    } finally {
      watching.stop();
    }
    awaitBalancerPicksReadyPods(3);
    for (JsonObject pod : lab.pods()) {
      assertTrue(!before.contains(pod.getString("name")) || pod.getBoolean("terminating"), "every pod replaced: " + lab.pods());
    }
    assertEquals(lab.readyIps(), podsReached(30));
    JsonObject template = deployment().getJsonObject("spec").getJsonObject("template");
    assertTrue(template.getJsonObject("metadata").getJsonObject("annotations").containsKey(DeploymentController.RESTARTED_AT),
        template.encode());
  }

  /**
   * kubectl apply of the repository's manifest: checked by the server (a dry run) with a warning naming what local
   * mode keeps but cannot act on; then, with smaller numbers so the test stays fast, applied for real: replicas,
   * GREETER_DELAY_MS, the preStop sleep and terminationGracePeriodSeconds reach the pods.
   */
  @Test
  void applyOfTheManifestTakesReplicasDelayPreStopAndGraceAndWarnsOfTheRest() throws Exception {
    assumeKubectl();
    String manifest = Files.readString(Path.of("deploy/server.yaml"));
    KubectlRun dry = run("apply", "-f", "deploy/server.yaml", "--dry-run=server");
    assertEquals(List.of("deployment.apps/greeter-server configured (server dry run)",
        "service/greeter-server configured (server dry run)", "service/greeter-server-headless configured (server dry run)"),
        dry.lines());
    assertTrue(dry.err().contains("Warning: local mode keeps these fields in the Deployment but does not act on them (its"
        + " pods run in this process): "), dry.err());
    for (String field : List.of("containers[0].resources", "containers[0].readinessProbe", "containers[0].securityContext",
        "spec.template.spec.volumes")) {
      assertTrue(dry.err().contains(field), field + " named in: " + dry.err());
    }
    assertTrue(!dry.err().contains("GREETER_DELAY_MS") && !dry.err().contains("terminationGracePeriodSeconds")
        && !dry.err().contains("lifecycle"), "what it acts on is not named: " + dry.err());
    assertTrue(!dry.err().contains("last-applied-configuration"), "local mode's objects look applied: " + dry.err());
    KubectlRun serverSide = run("apply", "--server-side", "-f", "deploy/server.yaml", "--dry-run=server");
    assertEquals("deployment.apps/greeter-server serverside-applied (server dry run)", serverSide.lines().get(0));
    assertEquals(3, lab.pods().size(), "a dry run changes nothing");

    Path smaller = dir.resolve("server.yaml");
    Files.writeString(smaller, replaced(manifest, "replicas: 3", "replicas: 4", "value: \"500\"", "value: \"30\"",
        "command: [\"sleep\", \"5\"]", "command: [\"sleep\", \"1\"]", "terminationGracePeriodSeconds: 30",
        "terminationGracePeriodSeconds: 3"));
    assertTrue(run("apply", "-f", smaller.toString()).out().startsWith("deployment.apps/greeter-server configured\n"));
    run("rollout", "status", "deployment/greeter-server", "--timeout=20s");
    awaitBalancerPicksReadyPods(4);
    assertEquals(lab.readyIps(), podsReached(40));
    assertTrue(lab.pods().stream().filter(p -> !p.getBoolean("terminating")).allMatch(p -> p.getInteger("delay_ms") == 30),
        "GREETER_DELAY_MS: " + lab.pods());
    assertEquals("3 3 3 3", run("get", "pods", "-l", "pod-template-hash=" + local.cluster().template().hash(),
        "-o", "jsonpath={.items[*].spec.terminationGracePeriodSeconds}").out(), "the new pods' grace period");
    Pod newer = local.cluster().pods().stream().filter(p -> p.phase() == Pod.Phase.READY).findFirst().orElseThrow();
    long started = System.nanoTime();
    run("delete", "pod", newer.name());
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMs >= 1_000, "the preStop sleep of 1 s ran before the pod drained: " + tookMs + " ms");

    // back as the other tests want it; the manifest without its lifecycle removes the preStop hook from the Deployment
    Files.writeString(smaller, replaced(manifest, "value: \"500\"", "value: \"20\"").replaceAll(
        "(?s)\n          lifecycle:.*?command: \\[\"sleep\", \"5\"]", ""));
    run("apply", "-f", smaller.toString());
    assertTrue(!deployment().getJsonObject("spec").encode().contains("preStop"), "the hook is gone from the Deployment");
  }

  static String replaced(String text, String... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      assertTrue(text.contains(pairs[i]), "the manifest says " + pairs[i]);
      text = text.replace(pairs[i], pairs[i + 1]);
    }
    return text;
  }

  /** Writes need the kubeconfig's token, which kubectl sends over TLS only: without it 403, with a wrong one 401. */
  @Test
  void writesNeedTheKubeconfigsTokenOverTls() throws Exception {
    String yaml = Files.readString(Path.of(local.kubeconfig()));
    assertTrue(yaml.contains("server: https://127.0.0.1:") && yaml.contains("certificate-authority-data: ")
        && yaml.contains("token: "), yaml);
    Pod pod = local.cluster().pods().iterator().next();
    ApiAnswer anonymous = api.request(HttpMethod.DELETE, local.controlPlane().port(), "127.0.0.1",
            ApiResource.PODS.path("default") + "/" + pod.name())
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> new ApiAnswer(resp.statusCode(), b.toJsonObject()))))
        .await(5, TimeUnit.SECONDS);
    assertEquals(403, anonymous.status());
    assertEquals("pods \"" + pod.name() + "\" is forbidden: User \"system:anonymous\" cannot delete resource \"pods\" in API"
        + " group \"\" in the namespace \"default\"", anonymous.body().getString("message"));
    if (KUBECTL) {
      KubectlRun wrong = attempt("--token=wrong", "delete", "pod", pod.name());
      assertEquals(1, wrong.exit());
      assertTrue(wrong.err().contains("Unauthorized"), wrong.err());
    }
    assertEquals(Pod.Phase.READY, pod.phase(), "the pod lives");
  }
}

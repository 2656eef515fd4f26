package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
  TestClusters.Cluster lab;
  LocalMode local;
  HttpClient api;
  final List<String> banner = new ArrayList<>();

  @BeforeAll
  void start(Vertx vertx, @TempDir Path dir) throws Exception {
    this.dir = dir;
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

  /** Every test starts from 3 ready replicas. */
  @BeforeEach
  void threeReplicas() throws Exception {
    lab.scale(3);
  }

  record KubectlRun(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  static final boolean KUBECTL = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .anyMatch(d -> Files.isExecutable(Path.of(d, "kubectl")));
  static final String NO_KUBECTL = "kubectl is not on the PATH: the kubectl tests are skipped (.ci/run installs it)";

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

  /** Runs kubectl on the JUnit thread, never an event loop. */
  KubectlRun run(String... args) throws Exception {
    Process process = kubectl(args).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "kubectl " + String.join(" ", args) + " finished");
    KubectlRun run = new KubectlRun(process.exitValue(), out, err);
    assertEquals(0, run.exit(), "kubectl " + String.join(" ", args) + ": " + err);
    return run;
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
    Process watch = kubectl("get", "pods", "--watch", "--output-watch-events").redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(lines::add);
      } catch (IOException | java.io.UncheckedIOException ended) {
        // the watch was stopped
      }
    }, "kubectl-watch-reader");
    reader.start();
    List<String> seen = new ArrayList<>();
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
      watch.destroy();
      assertTrue(watch.waitFor(5, TimeUnit.SECONDS), "kubectl stopped");
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
}

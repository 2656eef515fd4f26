package lab.grpclb.metrics;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import lab.grpclb.FreePort;

/**
 * The real {@code prometheus} binary (Debian's package), started with a scrape config in a temporary directory, its
 * own TSDB there and a free loopback port; queried over its HTTP API. {@link #close()} stops it (SIGTERM, then
 * SIGKILL) and deletes the directory. For the JUnit thread only: every call blocks.
 */
final class PrometheusProcess implements AutoCloseable {
  static final String MISSING = "no prometheus on the PATH: apt-get install prometheus (.ci/run installs it)";

  private final Path dir;
  private final Process process;
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusProcess(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** The binary on the PATH, if any. */
  static Optional<Path> binary() {
    return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(d -> Path.of(d, "prometheus")).filter(Files::isExecutable).findFirst();
  }

  /** Starts prometheus on {@code config} (YAML text) in {@code dir} and returns once it answers /-/ready. */
  static PrometheusProcess start(Path binary, Path dir, String config) throws Exception {
    Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
    int port = FreePort.onLoopback();
    Process process = new ProcessBuilder(binary.toString(), "--config.file=" + configFile,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusProcess started = new PrometheusProcess(dir, process, port);
    try {
      started.awaitReady();
      return started;
    } catch (Exception | AssertionError e) {
      started.close();
      throw e;
    }
  }

  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("prometheus exited " + process.exitValue() + ": " + log());
      }
      try {
        if (get("/-/ready").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("prometheus not ready in 20 s: " + log());
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@code GET /api/v1/query} now: the result vector (or scalar as a one-element array); an error (a bad query, a
   * failed evaluation) is an AssertionError naming the query and Prometheus' message.
   */
  JsonArray query(String promql) throws Exception {
    HttpResponse<String> answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    JsonObject body = new JsonObject(answer.body());
    if (answer.statusCode() != 200 || !"success".equals(body.getString("status"))) {
      throw new AssertionError("Prometheus refused " + promql + ": HTTP " + answer.statusCode() + " "
          + body.getString("errorType") + ": " + body.getString("error"));
    }
    JsonObject data = body.getJsonObject("data");
    return switch (data.getString("resultType")) {
      case "vector" -> data.getJsonArray("result");
      case "scalar" -> new JsonArray().add(new JsonObject().put("metric", new JsonObject())
          .put("value", data.getJsonArray("result")));
      default -> throw new AssertionError(promql + " gave a " + data.getString("resultType") + ", not a vector");
    };
  }

  /** One sample's value ({@code NaN} included) from a {@link #query} result element. */
  static double value(JsonObject sample) {
    return Double.parseDouble(sample.getJsonArray("value").getString(1));
  }

  /** The sample's label, or "" as PromQL treats a missing one. */
  static String label(JsonObject sample, String name) {
    return sample.getJsonObject("metric").getString(name, "");
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops prometheus (it gets 10 s to shut down, then SIGKILL) and deletes its directory. */
  @Override
  public void close() throws Exception {
    try {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } finally {
      deleteTree(dir);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }
}

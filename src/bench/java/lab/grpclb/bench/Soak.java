package lab.grpclb.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import lab.grpclb.client.Attempts;
import lab.grpclb.client.Retries;
import lab.grpclb.config.ClientType;
import lab.grpclb.config.Flags;
import lab.grpclb.config.LocalConfig;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.local.LocalMode;

/**
 * {@code bench/soak.sh --minutes M}: a local cluster in this process under {@link Chaos} while the experiment
 * client runs bursts back to back through its HTTP API (ClientWithKubeResolver, with the other types in turn
 * now and then). Prints a Markdown summary; exits 0 when ClientWithKubeResolver lost no call and nothing logged
 * a stack trace, else 1 (2 for a bad command line).
 */
public final class Soak {
  static final List<ClientType> OTHER_TYPES = List.of(ClientType.CLIENT, ClientType.REUSE_CONN);
  private static final long PROGRESS_EVERY_MS = 30_000;
  /** A terminating pod's drain timeout in local mode (20 s) and some. */
  private static final long QUIET_WITHIN_MS = 25_000;

  private final SoakOptions options;
  private final Consumer<String> progress;

  Soak(SoakOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  public static void main(String[] args) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %5$s%6$s%n");
    SoakOptions options;
    try {
      options = SoakOptions.parse(args);
    } catch (BenchOptions.Usage usage) {
      if (usage.getMessage() == null) {
        System.out.println(SoakOptions.USAGE);
        System.exit(0);
      }
      System.err.println("soak: " + usage.getMessage() + "\n" + SoakOptions.USAGE);
      System.exit(2);
      return;
    }
    int code;
    try {
      SoakResult result = new Soak(options, line -> System.err.println("[soak] " + line)).run();
      System.out.print(SoakMarkdown.render(result, System.getProperty("soak.command", "bench/soak.sh")));
      code = result.passed() ? 0 : 1;
    } catch (Exception e) {
      System.err.println("soak: " + e.getMessage());
      code = 1;
    }
    System.exit(code);
  }

  /** Runs the whole soak on the calling thread (which blocks: never an event loop). */
  SoakResult run() throws Exception {
    LogTally logs = LogTally.install();
    Vertx vertx = Vertx.vertx();
    try {
      LocalConfig config = LocalConfig.from(Flags.parse(new String[] {"--replicas", "3",
          "--delay-ms", String.valueOf(options.delayMs()), "--port", String.valueOf(options.port()),
          "--http-port", String.valueOf(options.httpPort()), "--api-port", "0",
          "--call-timeout-ms", String.valueOf(options.callTimeoutMs()),
          "--hedging-delay-ms", String.valueOf(options.hedgingDelayMs()),
          "--hedging-max-attempts", String.valueOf(options.hedgingMaxAttempts())}, Map.of()));
      LocalMode local = new LocalMode(vertx, config).start().await(60, TimeUnit.SECONDS);
      try {
        return soak(vertx, local, logs);
      } finally {
        local.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      logs.uninstall();
    }
  }

  private SoakResult soak(Vertx vertx, LocalMode local, LogTally logs) throws InterruptedException {
    progress.accept("client on http://127.0.0.1:" + local.client().port() + ", " + options.duration().toSeconds()
        + " s of chaos, n=" + options.n() + ", delay " + options.delayMs() + " ms, deadline " + options.callTimeoutMs()
        + " ms, hedging after " + options.hedgingDelayMs() + " ms (" + options.hedgingMaxAttempts()
        + " attempts), freezes " + (options.freezes() ? "on" : "off")
        + ", seed " + options.seed());
    ExperimentApi api = new ExperimentApi("127.0.0.1", local.client().port(), Duration.ofSeconds(120));
    long startNanos = System.nanoTime();
    List<ProcSample> samples = new ArrayList<>();
    samples.add(ProcSample.now("start", 0));
    Chaos chaos = new Chaos(vertx, local, options, progress);
    chaos.start();
    Map<ClientType, List<SoakResult.Round>> runs = new LinkedHashMap<>();
    long durationMs = options.duration().toMillis();
    long nextProgressMs = PROGRESS_EVERY_MS;
    for (int burst = 0; elapsedMs(startNanos) < durationMs; burst++) {
      ClientType type = typeOf(burst);
      runs.computeIfAbsent(type, t -> new ArrayList<>()).add(burst(api, type));
      long ms = elapsedMs(startNanos);
      if (samples.size() == 1 && ms >= durationMs / 2) {
        samples.add(ProcSample.settled("middle", ms));
      }
      if (ms >= nextProgressMs) {
        nextProgressMs += PROGRESS_EVERY_MS;
        progress.accept(ms / 1000 + " s: " + burst + " bursts, " + failedSoFar(runs) + ", chaos " + chaos.counts());
      }
    }
    Chaos.ChaosActions done = chaos.stop();
    awaitQuiet(chaos);
    samples.add(ProcSample.settled("end", elapsedMs(startNanos)));
    List<SoakResult.TypeSummary> types = runs.entrySet().stream()
        .map(e -> SoakResult.TypeSummary.of(e.getKey(), e.getValue())).toList();
    return new SoakResult(options, Duration.ofMillis(elapsedMs(startNanos)), types, samples, done, logs.counts());
  }

  /** Waits (at most a pod's drain timeout and a little) for the undone chaos to settle, saying so if it did not. */
  private void awaitQuiet(Chaos chaos) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_WITHIN_MS);
    while (!chaos.quiet()) {
      if (System.nanoTime() > deadline) {
        progress.accept("the cluster did not settle within " + QUIET_WITHIN_MS + " ms after the chaos stopped");
        return;
      }
      Thread.sleep(200);
    }
  }

  /** Mostly ClientWithKubeResolver; every {@code otherEvery}-th burst one of the other types, in turn. */
  private ClientType typeOf(int burst) {
    int k = options.otherEvery();
    if (k == 0 || burst % k != k - 1) {
      return ClientType.KUBE_RESOLVER;
    }
    return OTHER_TYPES.get((burst / k) % OTHER_TYPES.size());
  }

  private SoakResult.Round burst(ExperimentApi api, ClientType type) {
    int n = options.n();
    try {
      ExperimentApi.ExperimentAnswer answer = api.run(type.wireName(), BenchLoad.burst(n));
      if (answer.ok()) {
        return run(type, n, answer.report());
      }
      return failedRun(type, n, "HTTP " + answer.status() + ": " + answer.error());
    } catch (IOException e) {
      return failedRun(type, n, "no answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failedRun(type, n, "interrupted");
    }
  }

  private static SoakResult.Round run(ClientType type, int n, ExperimentReport report) {
    Map<String, Long> errors = new TreeMap<>();
    report.outcome().errors().forEach((error, count) -> errors.put(error, count.longValue()));
    return new SoakResult.Round(type, n, report.ok(), report.failed(), errors, report.channel().retried(),
        report.channel().attempts(), report.latency().p99());
  }

  private static SoakResult.Round failedRun(ClientType type, int n, String error) {
    return new SoakResult.Round(type, n, 0, n, Map.of(error, (long) n), Retries.NONE, Attempts.NONE,
        Double.NaN);
  }

  private static String failedSoFar(Map<ClientType, List<SoakResult.Round>> runs) {
    StringBuilder text = new StringBuilder("failed");
    runs.forEach((type, list) -> text.append(' ').append(type).append('=').append(list.stream().mapToLong(SoakResult.Round::failed).sum()));
    return text.toString();
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}

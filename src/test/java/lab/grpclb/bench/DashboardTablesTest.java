package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import lab.grpclb.bench.DashboardPlan.Table;
import lab.grpclb.client.Retries;
import lab.grpclb.experiment.ExperimentPlan;
import lab.grpclb.experiment.ExperimentReport;
import org.junit.jupiter.api.Test;

/** The dashboard's Markdown and chart from fabricated rows: medians and ranges per run, ratios, overlap marks. */
class DashboardTablesTest {
  static final String OURS = "ClientWithReuseConn";
  static final String THEIRS = GrpcJavaTypes.ONE_CHANNEL;

  @Test
  void eachTableShowsTheMedianAndRangeOfItsRunsBesideGrpcJavaWithRatios() {
    BenchOptions options = BenchOptions.parse(new String[] {"--runs", "3", "--types", OURS, "--jvm", "image",
        "--concurrency", "100", "--load-percents", "50,100", "--bursts", "10000"});
    DashboardPlan plan = options.dashboard();
    BenchLoad c1 = plan.latencyLoad();
    BenchLoad c100 = plan.throughputLoads().get(0);
    List<BenchLoad> ladder = plan.loadLadder(20_000);
    BenchLoad burst = plan.burstLoads().get(0);
    Map<Table, List<BenchRow>> rows = Map.of(
        // p50 of 100, 110, 120 µs against 200 µs in each run: a ratio of 0.55, the ranges apart
        Table.LATENCY, List.of(row(OURS, c1, List.of(run(c1, 1000, 0.100), run(c1, 1000, 0.120), run(c1, 1000, 0.110)), 100),
            row(THEIRS, c1, List.of(run(c1, 1000, 0.200), run(c1, 1000, 0.200), run(c1, 1000, 0.200)), 100)),
        // 50 000 calls in 2.0, 2.5 and 1.0 s against 2.0 s each: the ranges overlap
        Table.THROUGHPUT, List.of(row(OURS, c100, List.of(run(c100, 2000, 1), run(c100, 2500, 1), run(c100, 1000, 1)), 1000),
            row(THEIRS, c100, List.of(run(c100, 2000, 1), run(c100, 2000, 1), run(c100, 2000, 1)), 2000)),
        Table.LOAD, List.of(row(OURS, ladder.get(0), List.of(run(ladder.get(0), 1000, 0.3)), 100),
            row(THEIRS, ladder.get(0), List.of(run(ladder.get(0), 1000, 0.4)), 100),
            row(OURS, ladder.get(1), List.of(run(ladder.get(1), 1000, 5)), 100),
            BenchRow.na(THEIRS, ladder.get(1), "error (HTTP 500): boom")),
        Table.BURSTS, List.of(row(OURS, burst, List.of(run(burst, 900, 306)), 300), row(THEIRS, burst, List.of(run(burst, 1000, 520)), 600)),
        Table.SERVER, List.of(row(DashboardRunner.OUR_SERVER, plan.serverLoad(), List.of(run(plan.serverLoad(), 1000, 1)), 500),
            row(DashboardRunner.GRPC_JAVA_SERVER, plan.serverLoad(), List.of(run(plan.serverLoad(), 1250, 1)), 1000)));
    DashboardSection section = new DashboardSection(JvmFlavour.IMAGE, options.jvmArgs(), rows,
        List.of(new DashboardSection.LoadBase(OURS, 20_000, "the throughput table's best median")),
        List.of(new BenchTable.ServerTotal("delay 0 ms: server 127.0.0.2", 4000, Duration.ofMillis(400), 300 * 1024, 0)),
        List.of(new BenchTable.LogCount("delay-0/client-ClientWithReuseConn.log", 1, 0, 0)), "/tmp/logs");
    DashboardTables.Report report = DashboardTables.render(new DashboardTables.DashboardContext("2026-12-07T00:00:00Z", "bench/run.sh",
        "2 cores (Some CPU); Java 17", "20.0 min (estimated 25.0 min)", "2026-12-07-000000", options), List.of(section));
    String markdown = report.markdown();

    assertContains(markdown, "Command: `bench/run.sh`  \nMachine: 2 cores (Some CPU); Java 17  \n"
        + "JVM flags: the image's JVM flags (clients -Xmx512m -XX:+UseParallelGC -XX:NewRatio=1, servers -Xmx2g"
        + " -XX:+UseParallelGC -XX:NewRatio=1)  \nTook 20.0 min (estimated 25.0 min).\n");
    assertContains(markdown, "#### 1. Latency at concurrency 1\n");
    assertContains(markdown, "| client | p50 µs | p99 µs | p99.9 µs | failed | vs grpc-java: p50 | vs grpc-java: p99"
        + " | vs grpc-java: p99.9 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    assertContains(markdown, "| ClientWithReuseConn | 110 (100–120) | 220 (200–240) | 330 (300–360) | 0 | 0.55× | 0.55× | 0.55× |\n");
    assertContains(markdown, "| grpc-java/one-channel | 200 (200–200) | 400 (400–400) | 600 (600–600) | 0 |  |  |  |\n");
    // calls/s: 25 000 (20 000–50 000) against 25 000; 1 s of client CPU per 50 000-call run against 2 s
    assertContains(markdown, "| ClientWithReuseConn | 100 | 25 000 (20 000–50 000) | 50 000 (50 000–50 000) | 20.0 (20.0–20.0)"
        + " | 0 | 1.00×* | 2.00× |\n");
    assertContains(markdown, "| client | offered calls/s | sent calls/s | completed calls/s | p50 µs | p99 µs | failed");
    assertContains(markdown, "| ClientWithReuseConn | 10 000 | – | 10 000 | 300 | 600 | 0 | 0.75× | 0.75× |\n");
    assertContains(markdown, "| grpc-java/one-channel | 20 000 | n/a: error (HTTP 500): boom |  |  |  |  |  |  |\n");
    assertContains(markdown, "ClientWithReuseConn: 20 000, the throughput table's best median");
    assertContains(markdown, "| ClientWithReuseConn | 10 000 | 900 | 612 | 30.0 | 15.0 | 0 | 0.90× | 0.50× |\n");
    assertContains(markdown, "| Vert.x greeter (ours) | 50 000 | 5.0 | 200 000 | 10.0 | 0 | 1.25× | 0.50× |\n");
    assertContains(markdown, "delay-0/client-ClientWithReuseConn.log 1 blocked-thread, 0 WARNING, 0 SEVERE.");
    assertContains(markdown, "![Latency against load, ClientWithReuseConn vs grpc-java/one-channel (the image's JVM flags)]"
        + "(2026-12-07-000000-image-ClientWithReuseConn-latency-vs-load.svg)");

    String svg = report.charts().get("2026-12-07-000000-image-ClientWithReuseConn-latency-vs-load.svg");
    // ours: two points, p99 solid and p50 dashed; grpc-java: one point (its second row was not measured)
    assertEquals(4, count(svg, "<polyline"), svg);
    assertEquals(2, count(svg, "<polyline fill=\"none\" stroke=\"#d62728\""), svg);
    assertEquals(1, count(svg, "stroke=\"#d62728\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points="), svg);
    assertTrue(svg.contains(">grpc-java/one-channel p50</text>"), svg);
  }

  @Test
  void aRatioIsMarkedOnlyWhereTheRunsRangesOverlap() {
    assertEquals("0.50×", DashboardTables.ratio(RunSpread.of(List.of(1.0, 1.1, 0.9)), RunSpread.of(List.of(2.0, 2.1, 1.9))));
    assertEquals("0.95×*", DashboardTables.ratio(RunSpread.of(List.of(1.9, 2.2, 1.7)), RunSpread.of(List.of(2.0, 2.1, 1.9))));
    assertEquals("1.00×", DashboardTables.ratio(RunSpread.of(List.of(2.0)), RunSpread.of(List.of(2.0)))); // one run each: no range
    assertEquals("–", DashboardTables.ratio(RunSpread.of(List.of()), RunSpread.of(List.of(2.0))));
    RunSpread even = RunSpread.of(List.of(4.0, 1.0, 3.0, 2.0));
    assertEquals(2.0, even.median()); // the lower middle, as the rows' median run
    assertEquals("2 (1–4)", even.format(v -> String.valueOf(Math.round(v))));
  }

  private static int count(String text, String needle) {
    int count = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
      count++;
    }
    return count;
  }

  /** Every run ok; each run's client CPU {@code clientCpuMsPerRun} ms, the servers' half of it. */
  private static BenchRow row(String type, BenchLoad load, List<ExperimentReport> reports, long clientCpuMsPerRun) {
    List<BenchRow.RunCpu> cpu = new ArrayList<>();
    reports.forEach(r -> cpu.add(new BenchRow.RunCpu(Duration.ofMillis(clientCpuMsPerRun), Duration.ofMillis(clientCpuMsPerRun / 2))));
    Duration client = Duration.ofMillis(clientCpuMsPerRun * reports.size());
    return new BenchRow(type, load, null, reports, client.dividedBy(2), client, 200 * 1024, cpu);
  }

  /** A run of the load in {@code elapsedMs}, its p50 {@code p50Ms}, p99 twice that, p99.9 three times. */
  private static ExperimentReport run(BenchLoad load, double elapsedMs, double p50Ms) {
    return new ExperimentReport(new ExperimentPlan("t", load.n(), load.n(), null, load.shape()), Math.round(elapsedMs * 1e6),
        0, new ExperimentReport.Outcome(load.n(), 0, Map.of("127.0.0.2", load.n()), Map.of()),
        new ExperimentReport.Latency(p50Ms, p50Ms * 1.5, p50Ms * 2, p50Ms * 3, p50Ms * 3, p50Ms), List.of(), Map.of(), List.of(),
        null, new ExperimentReport.ChannelSeen(1, List.of(), List.of(), Retries.NONE), load.n(), 0, 5, false,
        List.of(), null, null);
  }

  private static void assertContains(String markdown, String expected) {
    assertTrue(markdown.contains(expected), "expected\n" + expected + "\nin\n" + markdown);
  }
}

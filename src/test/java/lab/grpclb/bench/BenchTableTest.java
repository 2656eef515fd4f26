package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import lab.grpclb.client.Retries;
import lab.grpclb.experiment.ExperimentPlan;
import lab.grpclb.experiment.ExperimentReport;
import org.junit.jupiter.api.Test;

/** The benchmark's tables from a fixed set of rows: columns, ranges, n/a rows and the ratios to grpc-java. */
class BenchTableTest {
  static final BenchLoad BURST = BenchLoad.burst(1000);
  static final BenchLoad OPEN = BenchLoad.parse("open:rate=500,duration_s=2");

  @Test
  void oursBesideGrpcJavaWithRatiosRangesAndNotMeasuredRows() {
    BenchOptions options = BenchOptions.parse(new String[] {"1000", "--runs", "2", "--shape", OPEN.spec()});
    String ours = "ClientWithReuseConn";
    String kube = "ClientWithKubeResolver";
    String oneChannel = GrpcJavaTypes.ONE_CHANNEL;
    String roundRobin = GrpcJavaTypes.ROUND_ROBIN;
    List<BenchRow> rows = List.of(
        BenchRow.na("Client", BURST, "HTTP 503: no | endpoints"),
        row(ours, BURST, 20, List.of(report(ours, BURST, 600, 510, null), report(ours, BURST, 500, 505, null))),
        row(oneChannel, BURST, 40, List.of(report(oneChannel, BURST, 1000, 700, null),
            report(oneChannel, BURST, 1000, 700, null))),
        row(kube, OPEN, 30, List.of(report(kube, OPEN, 2050, 121.6, pacing(498, 12.5)),
            report(kube, OPEN, 2060, 130, pacing(497, 13)))),
        row(roundRobin, OPEN, 30, List.of(report(roundRobin, OPEN, 2050, 60, pacing(505, 6.3)),
            report(roundRobin, OPEN, 2049, 59.6, pacing(505, 6.3)))));
    String markdown = BenchTable.render(context(options), rows, List.of());

    assertContains(markdown, "| type | n | median elapsed ms (min–max) | p99 ms | p99.9 ms | failed | max_in_flight"
        + " | client GC ms | client CPU µs/call | client VmHWM MiB | server CPU µs/call | vs grpc-java: elapsed"
        + " | vs grpc-java: client CPU/call |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    assertContains(markdown, "| Client | 1 000 | n/a: HTTP 503: no \\| endpoints |  |  |  |  |  |  |  |  |  |  |\n");
    // the lower middle of two runs, the range of both; 20 ms over 2 000 calls against grpc-java's 40 ms
    assertContains(markdown, "| ClientWithReuseConn | 1 000 | 500 (500–600) | 505 | 606 | 0 | 1 000 | 5 | 10.0 | 200 | 5.0"
        + " | 0.50× | 0.50× |\n");
    assertContains(markdown, "| grpc-java/one-channel | 1 000 | 1000 (1000–1000) | 700 | 840 | 0 | 1 000 | 5 | 20.0 | 200"
        + " | 10.0 |  |  |\n");
    assertContains(markdown, "| type | shape | achieved calls/s | median elapsed ms (min–max) | p50 ms | p99 ms | p99.9 ms"
        + " | schedule lag p99 ms | failed | client CPU µs/call | server CPU µs/call | vs grpc-java: elapsed"
        + " | vs grpc-java: client CPU/call |\n");
    assertContains(markdown, "| ClientWithKubeResolver | `open:rate=500,duration_s=2` | 498 | 2050 (2050–2060) | 60.8 | 122"
        + " | 146 | 12.5 | 0 | 15.0 | 7.5 | 1.00× | 1.00× |\n");
    assertContains(markdown, "- ClientWithReuseConn, n=1 000: {127.0.0.2=1000} (connections 1, in_flight_cap 1000, calls_waited 0)\n");
    assertContains(markdown, "- grpc-java/one-channel, n=1 000: {127.0.0.2=1000} (in_flight_cap 1000, calls_waited 0)\n");
    assertContains(markdown, "- Client: n/a\n");
    assertContains(markdown, "- server 127.0.0.2: 4000 calls served, CPU 0.40 s (100.0 µs/call), VmHWM 300 MiB, exit code 0\n");
    assertContains(markdown, "- client-Client.log: 1 blocked-thread warnings, 2 WARNING, 0 SEVERE lines\n");
  }

  @Test
  void withoutThePeerNoRatioColumnsAndTheJvmDefaultsAreNamed() {
    BenchOptions options = BenchOptions.parse(new String[] {"1000", "--runs", "1", "--peers", "none", "--jvm-defaults"});
    String markdown = BenchTable.render(context(options),
        List.of(row("ClientWithReuseConn", BURST, 20, List.of(report("ClientWithReuseConn", BURST, 512.4, 503, null)))),
        List.of());
    assertFalse(markdown.contains("vs grpc-java"), markdown);
    assertContains(markdown, "| ClientWithReuseConn | 1 000 | 512 | 503 | 604 | 0 | 1 000 | 5 | 20.0 | 200 | 10.0 |\n");
    assertContains(markdown, "(-Xmx2g (the JVM's defaults: no GC flags))");
    assertFalse(markdown.contains("Load shapes:"), markdown);
    assertFalse(markdown.contains("Cold starts"), markdown);
  }

  @Test
  void coldStartsShowEachTypesFirstRunAgainstItsThirdAndAgainstGrpcJava() {
    BenchOptions options = BenchOptions.parse(new String[] {"10000", "--cold-starts", "3"});
    List<ColdStartRow> cold = List.of(
        new ColdStartRow("ClientWithReuseConn", 10_000, List.of(new ColdStartRow.Start(7.2, 900, 800),
            new ColdStartRow.Start(6.8, 1300, 800), new ColdStartRow.Start(7.0, 1000, 500)), null),
        new ColdStartRow(GrpcJavaTypes.ONE_CHANNEL, 10_000, List.of(new ColdStartRow.Start(1.2, 2000, 900),
            new ColdStartRow.Start(1.1, 2500, 900), new ColdStartRow.Start(1.3, 1800, 1000)), null),
        ColdStartRow.na("ClientWithKubeResolver", 10_000, "HTTP 503: no endpoints"));
    String markdown = BenchTable.render(context(options), List.of(), cold);

    assertContains(markdown, "| type | n | fresh JVMs | launch to first answer s | first run ms | third run ms"
        + " | first ÷ third | ≤ 1.5× | vs grpc-java: first run |\n");
    // ratios per JVM: 1.125, 1.625, 2.0; medians of the first runs 1000 against 2000
    assertContains(markdown, "| ClientWithReuseConn | 10 000 | 3 | 7.0 (6.8–7.2) | 1000 (900–1300) | 800 (500–800)"
        + " | 1.63× (1.13×–2.00×) | 1 of 3 | 0.50× |\n");
    assertContains(markdown, "| grpc-java/one-channel | 10 000 | 3 | 1.2 (1.1–1.3) | 2000 (1800–2500) | 900 (900–1000)"
        + " | 2.22× (1.80×–2.78×) | 0 of 3 |  |\n");
    assertContains(markdown, "| ClientWithKubeResolver | 10 000 | n/a: HTTP 503: no endpoints |  |  |  |  |  |  |\n");
  }

  @Test
  void aProgressLineCountsErrorsThatDifferOnlyInTheirTimesOnce() {
    Map<String, Long> counts = BenchTable.groupedCounts(Map.of(
        "DEADLINE_EXCEEDED: deadline exceeded after 29.999989067s. [closed=[]]", 3,
        "DEADLINE_EXCEEDED: deadline exceeded after 29.999990220s. [closed=[]]", 4,
        "UNAVAILABLE: io exception", 1));
    assertEquals(Map.of("DEADLINE_EXCEEDED: deadline exceeded after N s. [closed=[]]", 7L, "UNAVAILABLE: io exception", 1L),
        counts);
  }

  private static BenchTable.Context context(BenchOptions options) {
    return new BenchTable.Context("2026-12-02T00:00:00Z", "bench/run.sh 1000", "2 cores", options,
        List.of(new BenchTable.ServerTotal("server 127.0.0.2", 4000, Duration.ofMillis(400), 300 * 1024, 0)), null,
        List.of(new BenchTable.LogCount("client-Client.log", 1, 2, 0)), "/tmp/logs");
  }

  /** A measured row: every call ok, the servers at half the client's CPU, a 200 MiB client. */
  private static BenchRow row(String type, BenchLoad load, long clientCpuMs, List<ExperimentReport> reports) {
    return new BenchRow(type, load, null, reports, Duration.ofMillis(clientCpuMs / 2), Duration.ofMillis(clientCpuMs),
        200 * 1024);
  }

  /** The peer counts no connections (-1). */
  private static ExperimentReport report(String type, BenchLoad load, double elapsedMs, double p99,
                                         ExperimentReport.Pacing pacing) {
    boolean peer = GrpcJavaTypes.ALL.contains(type);
    return new ExperimentReport(new ExperimentPlan(type, load.n(), load.n(), null, load.shape()), Math.round(elapsedMs * 1e6),
        0, new ExperimentReport.Outcome(load.n(), 0, Map.of("127.0.0.2", load.n()), Map.of()),
        new ExperimentReport.Latency(p99 / 2, p99 * 0.9, p99, p99 * 1.2, p99 * 1.2, p99 / 2), List.of(), Map.of(), List.of(),
        pacing, new ExperimentReport.ChannelSeen(peer ? -1 : 1, List.of(), List.of(), Retries.NONE), load.n(), 0, 5, false,
        List.of(), null, null);
  }

  private static ExperimentReport.Pacing pacing(double achieved, double lagP99) {
    return new ExperimentReport.Pacing(500, achieved, lagP99 / 2, lagP99, lagP99 * 2);
  }

  private static void assertContains(String markdown, String expected) {
    assertTrue(markdown.contains(expected), "expected\n" + expected + "\nin\n" + markdown);
  }

  @Test
  void errorsThatDifferOnlyInTheirMeasuredTimesAreOneLine() {
    assertEquals("DEADLINE_EXCEEDED: CallOptions deadline exceeded after N s. Name resolution delay N s. [closed=[]]",
        BenchTable.grouped("DEADLINE_EXCEEDED: CallOptions deadline exceeded after 29.999989067s. Name resolution delay"
            + " 0.000000000 seconds. [closed=[]]"));
    assertEquals(BenchTable.grouped("after 29.999989067s"), BenchTable.grouped("after 29.999990220s"));
  }
}

package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.LoadShape;
import org.junit.jupiter.api.Test;

/** The benchmark's command line: defaults, the new flags, and one clear line for each mistake. */
class BenchOptionsTest {

  @Test
  void anNListRunsTheRowsOfBeforeUnderTheImagesFlagsWithTheGrpcJavaPeer() {
    BenchOptions options = BenchOptions.parse(new String[] {"1000", "10000", "100000"});
    assertEquals(List.of(1000, 10_000, 100_000), options.ns());
    assertEquals(Benchmark.GC_FLAGS, options.jvmArgs());
    assertFalse(options.jvmDefaults());
    assertEquals(List.of(JvmFlavour.IMAGE), options.jvmFlavours());
    assertTrue(options.grpcJavaPeer());
    assertEquals(18081, options.peerHttpPort());
    assertEquals(3, options.runs());
    assertEquals(1000, options.pauseMs());
    assertNull(options.dashboard());
    assertEquals(List.of(BenchLoad.burst(1000), BenchLoad.burst(10_000), BenchLoad.burst(100_000)), options.loads());
    // a shape or cold starts alone keep the rows of before, with the default n list
    assertEquals(List.of(1000, 10_000, 100_000), BenchOptions.parse(new String[] {"--cold-starts", "2"}).ns());
    assertNull(BenchOptions.parse(new String[] {"--shape", "closed:c=10,n=100"}).dashboard());
  }

  @Test
  void noArgumentsRunEveryDashboardTableUnderBothJvmFlavoursFiveRunsEach() {
    BenchOptions options = BenchOptions.parse(new String[0]);
    DashboardPlan plan = options.dashboard();
    assertEquals(List.of(DashboardPlan.Table.values()), plan.tables());
    assertEquals(List.of(JvmFlavour.DEFAULTS, JvmFlavour.IMAGE), options.jvmFlavours());
    assertEquals(List.of(ClientType.REUSE_CONN, ClientType.KUBE_RESOLVER), options.types());
    assertEquals(5, options.runs());
    assertEquals(500, options.delayMs());
    assertEquals(new BenchLoad(new LoadShape.ClosedLoop(1), 20_000), plan.latencyLoad());
    assertEquals(List.of(10, 100, 1000), plan.throughputLoads().stream()
        .map(l -> ((LoadShape.ClosedLoop) l.shape()).concurrency()).toList());
    assertEquals(List.of(BenchLoad.burst(10_000), BenchLoad.burst(100_000)), plan.burstLoads());
    assertEquals(new BenchLoad(new LoadShape.ClosedLoop(100), 50_000), plan.serverLoad());
    // the bursts warm up as the rows of before did, up to their largest n
    assertEquals(List.of(1000, 10_000, 100_000, 100_000, 100_000), options.warmup());
    // each flavour: its own flags, the rest unchanged
    BenchOptions defaults = options.forFlavour(JvmFlavour.DEFAULTS);
    assertEquals(List.of(), defaults.jvmArgs());
    assertTrue(defaults.jvmDefaults());
    assertEquals(Benchmark.GC_FLAGS, options.forFlavour(JvmFlavour.IMAGE).jvmArgs());
    assertEquals(0, options.withDelay(0).delayMs());
    double estimate = DashboardRunner.estimateSeconds(options);
    assertTrue(estimate > 10 * 60 && estimate < 40 * 60, "the default run is meant to take about half an hour: " + estimate);
  }

  @Test
  void theDashboardsSizesAreFlagsAndTheLoadLadderIsAShareOfTheBestClosedLoop() {
    BenchOptions options = BenchOptions.parse(new String[] {"--tables", "load,latency", "--latency-n", "500",
        "--load-percents", "50,100,110", "--load-s", "2", "--jvm", "image", "--runs", "1", "--out", "/tmp/x"});
    DashboardPlan plan = options.dashboard();
    assertEquals(List.of(DashboardPlan.Table.LATENCY, DashboardPlan.Table.LOAD), plan.tables()); // table order
    assertEquals(List.of(JvmFlavour.IMAGE), options.jvmFlavours());
    assertEquals(List.of(BenchLoad.parse("open:rate=5000,duration_s=2"), BenchLoad.parse("open:rate=10000,duration_s=2"),
        BenchLoad.parse("open:rate=11000,duration_s=2")), plan.loadLadder(10_000));
    DashboardPlan fixed = BenchOptions.parse(new String[] {"--rates", "100,200"}).dashboard();
    assertEquals(List.of(BenchLoad.parse("open:rate=100,duration_s=1"), BenchLoad.parse("open:rate=200,duration_s=1")),
        fixed.loadLadder(Double.NaN));
    assertEquals(List.of(JvmFlavour.DEFAULTS), BenchOptions.parse(new String[] {"--jvm-defaults"}).jvmFlavours());
    assertTrue(usage("--tables", "latency,speed").startsWith("--tables: unknown table 'speed'; valid: all or latency,"));
    assertEquals("--jvm must be both, defaults or image, got 'g1'", usage("--jvm", "g1"));
    assertEquals("--latency-n is a dashboard flag: the dashboard runs with no n list, --shape or --cold-starts",
        usage("1000", "--latency-n", "10"));
  }

  @Test
  void jvmDefaultsDropsTheGcFlagsAndKeepsTheHeaps() {
    BenchOptions options = BenchOptions.parse(new String[] {"--jvm-defaults", "--client-heap", "1g"});
    assertTrue(options.jvmDefaults());
    assertEquals(List.of(), options.jvmArgs());
    assertEquals("1g", options.clientHeap());
    assertEquals("2g", options.serverHeap());
    assertEquals("give --jvm-defaults or --jvm-args, not both",
        usage("--jvm-defaults", "--jvm-args", "-XX:+UseZGC"));
  }

  @Test
  void peersTakeGrpcJavaOrNone() {
    assertFalse(BenchOptions.parse(new String[] {"--peers", "none"}).grpcJavaPeer());
    assertFalse(BenchOptions.parse(new String[] {"--peers=none"}).grpcJavaPeer());
    assertTrue(BenchOptions.parse(new String[] {"--peers", "grpc-java"}).grpcJavaPeer());
    assertEquals("--peers must be grpc-java or none, got 'grpc-go'", usage("--peers", "grpc-go"));
  }

  @Test
  void shapesAreRepeatableAndComeAfterTheBursts() {
    BenchOptions options = BenchOptions.parse(new String[] {"1000", "--shape", "closed:c=1000,n=100000",
        "--shape=open:rate=20000,duration_s=10"});
    assertEquals(List.of(BenchLoad.burst(1000), new BenchLoad(new LoadShape.ClosedLoop(1000), 100_000),
        new BenchLoad(new LoadShape.OpenLoop(20_000, LoadShape.Arrival.UNIFORM, 10), 200_000)), options.loads());
  }

  @Test
  void aBadShapeNamesTheValidForms() {
    String message = usage("--shape", "closed:c=0,n=10");
    assertTrue(message.startsWith("--shape 'closed:c=0,n=10': c must be an integer from 1 to"), message);
    assertTrue(message.endsWith(BenchLoad.FORMS), message);
  }

  @Test
  void coldStartsAreOffUnlessAskedAndTakeTheirOwnN() {
    BenchOptions plain = BenchOptions.parse(new String[0]);
    assertEquals(0, plain.coldStarts());
    BenchOptions cold = BenchOptions.parse(new String[] {"--cold-starts", "5", "--cold-n=2000"});
    assertEquals(5, cold.coldStarts());
    assertEquals(2000, cold.coldN());
    assertEquals("--cold-starts must be an integer from 0 to 100, got '-1'", usage("--cold-starts", "-1"));
    assertEquals("--cold-n must be an integer from 1 to 100000000, got ''", usage("--cold-n="));
  }

  @Test
  void typesAreTheWriteupsUnlessGivenAndABadOneFailsBeforeAnythingStarts() {
    assertEquals(ClientType.WRITEUP, BenchOptions.parse(new String[] {"1000"}).types());
    assertEquals(List.of(ClientType.DNS_RESOLVER, ClientType.CLIENT),
        BenchOptions.parse(new String[] {"--types", "ClientWithDnsResolver, Client"}).types());
    assertTrue(usage("--types", "Client,Grpc").startsWith("--types: unknown type 'Grpc'; valid types: Client,"));
  }

  @Test
  void serverArgsGoToEveryServer() {
    assertEquals(List.of(), BenchOptions.parse(new String[0]).extraServerArgs());
    assertEquals(List.of("--transport", "nio"),
        BenchOptions.parse(new String[] {"--extra-server-args", " --transport  nio "}).extraServerArgs());
  }

  private static String usage(String... args) {
    return assertThrows(BenchOptions.Usage.class, () -> BenchOptions.parse(args)).getMessage();
  }
}

package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.LoadShape;
import org.junit.jupiter.api.Test;

/** The benchmark's command line: defaults, the new flags, and one clear line for each mistake. */
class BenchOptionsTest {

  @Test
  void defaultsRunTheImagesFlagsWithTheGrpcJavaPeerAndBurstsOnly() {
    BenchOptions options = BenchOptions.parse(new String[0]);
    assertEquals(List.of(1000, 10_000, 100_000), options.ns());
    assertEquals(Benchmark.GC_FLAGS, options.jvmArgs());
    assertFalse(options.jvmDefaults());
    assertTrue(options.grpcJavaPeer());
    assertEquals(18081, options.peerHttpPort());
    assertEquals(List.of(BenchLoad.burst(1000), BenchLoad.burst(10_000), BenchLoad.burst(100_000)), options.loads());
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
    assertEquals(ClientType.WRITEUP, BenchOptions.parse(new String[0]).types());
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

package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Greeters;
import lab.grpclb.bench.peer.GrpcJavaGreeter;
import lab.grpclb.bench.peer.GrpcJavaPeer;
import lab.grpclb.experiment.ExperimentReport;
import lab.grpclb.experiment.LoadShape;
import lab.grpclb.interop.GrpcJava;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The grpc-java peer answers the experiment API's shape, read back through ReportJson as the benchmark reads ours:
 * its two clients reach the pods as their counterparts do, and the load shapes are sent as asked. Real servers on
 * 127.0.0.130-132 (no other test uses them), 20 ms delay.
 */
@ExtendWith(VertxExtension.class)
class GrpcJavaPeerTest {
  static final int DELAY_MS = 20;

  List<GreeterServer> servers;
  GrpcJavaPeer peer;
  ExperimentApi api;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    servers = List.of(Greeters.start(vertx, "127.0.0.130", DELAY_MS), Greeters.start(vertx, "127.0.0.131", DELAY_MS),
        Greeters.start(vertx, "127.0.0.132", DELAY_MS));
    List<InetSocketAddress> pods = servers.stream()
        .map(s -> InetSocketAddress.createUnresolved(s.config().podIp(), s.port())).toList();
    peer = GrpcJavaPeer.start(new GrpcJavaPeer.Config("127.0.0.1", 0, pods.get(0), pods, 5_000));
    api = new ExperimentApi("127.0.0.1", peer.port(), Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    peer.close();
    Greeters.stopAll(servers);
  }

  @Test
  void roundRobinSplitsABurstEvenlyOverThePods() throws Exception {
    run(GrpcJavaTypes.ROUND_ROBIN, BenchLoad.burst(30)); // connects every pod's subchannel
    ExperimentReport report = run(GrpcJavaTypes.ROUND_ROBIN, BenchLoad.burst(300));
    assertEquals(300, report.ok(), "errors " + report.outcome().errors());
    assertEquals(Map.of("127.0.0.130", 100, "127.0.0.131", 100, "127.0.0.132", 100), report.countPerIp());
    // a burst does not wait for replies (on a busy machine sending 300 calls can outlast the 20 ms delay)
    assertTrue(report.maxInFlight() > 1 && report.maxInFlight() <= 300, "max_in_flight " + report.maxInFlight());
    assertTrue(report.latency().p99() >= DELAY_MS, "latency from send to end: " + report.latency());
    assertTrue(report.elapsedMs() >= DELAY_MS, "elapsed " + report.elapsedMs());
  }

  @Test
  void oneChannelRunsAClosedLoopOnTheTarget() throws Exception {
    ExperimentReport report = run(GrpcJavaTypes.ONE_CHANNEL, BenchLoad.parse("closed:c=10,n=100"));
    assertEquals(100, report.ok());
    assertEquals(Map.of("127.0.0.130", 100), report.countPerIp());
    assertTrue(report.maxInFlight() <= 10, "max_in_flight " + report.maxInFlight());
    // ten rounds of ten calls, each round at least the delay
    assertTrue(report.elapsedMs() >= 10 * DELAY_MS, "elapsed " + report.elapsedMs());
  }

  @Test
  void anOpenLoopKeepsItsScheduleAndReportsItsPacing() throws Exception {
    run(GrpcJavaTypes.ONE_CHANNEL, BenchLoad.parse("closed:c=50,n=2000")); // a cold channel's first calls are slow
    ExperimentReport report = run(GrpcJavaTypes.ONE_CHANNEL, BenchLoad.parse("open:rate=700,n=350"));
    assertEquals(350, report.ok());
    assertNotNull(report.pacing());
    assertEquals(700, report.pacing().askedPerS());
    // 350 calls 1.43 ms apart, on slots fixed from the start: the span is 499 ms, moved only by the first and last
    // calls' lateness (at once, it would be about 0; one after another, 350 round trips)
    ExperimentReport.Pacing pacing = report.pacing();
    assertTrue(Math.abs(report.sendMs() - 499) <= pacing.lagMaxMs() + 2, "send_ms " + report.sendMs() + ", " + pacing);
    // paced as ours is (LoadShapesTest.anOpenLoopSendsEachCallAtItsSlotNotOnATick): each call at its slot, not on a
    // 1 ms tick, which left these slots 0.5 ms late at the median and a faster rate's calls in bunches
    assertTrue(pacing.lagP50Ms() < 0.3, "median lag " + pacing);
  }

  /**
   * The peer is grpc-java at its best: its replies run on its own epoll event loop (directExecutor, epoll), not on
   * the default executor's "grpc-default-executor" threads nor on NIO's. A benchmark against a handicapped peer
   * would flatter us.
   */
  @Test
  void thePeerRunsAsGrpcJavasBenchmarksRunIt() throws Exception {
    ManagedChannel channel = GrpcJavaPeer.asItsBenchmarksRunIt(NettyChannelBuilder.forAddress("127.0.0.130",
        servers.get(0).port())).build();
    try {
      CompletableFuture<String> thread = new CompletableFuture<>();
      ClientCalls.asyncUnaryCall(channel.newCall(GrpcJava.SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(5,
          TimeUnit.SECONDS)), HelloRequest.newBuilder().setName("peer").build(), new StreamObserver<>() {
            @Override
            public void onNext(HelloReply reply) {
              thread.complete(Thread.currentThread().getName());
            }

            @Override
            public void onError(Throwable t) {
              thread.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
          });
      String name = thread.get(5, TimeUnit.SECONDS);
      assertTrue(name.startsWith("grpc-java-peer-epoll"), "the reply ran on " + name + ": directExecutor and epoll"
          + " (Linux) keep it on the peer's own event loop");
    } finally {
      channel.shutdownNow();
    }
  }

  /**
   * The server table's grpc-java greeter answers our proto with its pod IP, after the delay it was given (a timer)
   * or at once (delay 0), under the peer's one channel as the benchmark sends to it. On 127.0.0.133.
   */
  @Test
  void grpcJavasGreeterAnswersAfterItsDelayOrAtOnce() throws Exception {
    for (int delayMs : new int[] {DELAY_MS, 0}) {
      GrpcJavaGreeter greeter = GrpcJavaGreeter.start(new GrpcJavaGreeter.GreeterSetup("127.0.0.133", 0, "127.0.0.133", delayMs));
      InetSocketAddress address = InetSocketAddress.createUnresolved("127.0.0.133", greeter.port());
      GrpcJavaPeer toGreeter = GrpcJavaPeer.start(new GrpcJavaPeer.Config("127.0.0.1", 0, address, List.of(address), 5_000));
      try {
        ExperimentApi greeterApi = new ExperimentApi("127.0.0.1", toGreeter.port(), Duration.ofSeconds(30));
        ExperimentApi.ExperimentAnswer answer = greeterApi.run(GrpcJavaTypes.ONE_CHANNEL, BenchLoad.parse("closed:c=10,n=200"));
        assertTrue(answer.ok(), "HTTP " + answer.status() + ": " + answer.error());
        ExperimentReport report = answer.report();
        assertEquals(Map.of("127.0.0.133", 200), report.countPerIp(), "errors " + report.outcome().errors());
        if (delayMs > 0) {
          assertTrue(report.latency().p50() >= delayMs, "delay " + delayMs + " ms: " + report.latency());
        } else {
          assertTrue(report.latency().p50() < DELAY_MS, "delay 0 answers at once: " + report.latency());
        }
      } finally {
        toGreeter.close();
        greeter.stop();
      }
    }
  }

  /**
   * The benchmark stops the grpc-java greeter with SIGTERM and reads how many calls it served from its last line, as
   * it does ours. Its main thread once let the JVM exit as soon as the server terminated, before the signal's handler
   * printed that line, and a dashboard said "? calls". Its own JVM, on 127.0.0.135.
   */
  @Test
  void grpcJavasGreeterSaysHowManyCallsItServedWhenTerminated() throws Exception {
    Path log = Files.createTempFile("grpc-java-greeter", ".log");
    Process greeter = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), GrpcJavaGreeter.class.getName(), "--host", "127.0.0.135", "--port", "0",
        "--delay-ms", "0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      String ready = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> firstLine(log, "greeter listening on "));
      int port = Integer.parseInt(ready.replaceAll("^greeter listening on 127\\.0\\.0\\.135:(\\d+) .*$", "$1"));
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.135", port).usePlaintext().build();
      try {
        for (int i = 0; i < 3; i++) {
          ClientCalls.blockingUnaryCall(channel, GrpcJava.SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(5,
              TimeUnit.SECONDS), HelloRequest.newBuilder().setName("count").build());
        }
      } finally {
        channel.shutdownNow();
      }
      greeter.destroy(); // SIGTERM
      assertTrue(greeter.waitFor(20, TimeUnit.SECONDS), "the greeter did not exit on SIGTERM");
      assertEquals(0, greeter.exitValue());
      String all = Files.readString(log);
      assertTrue(all.contains("grpc-java greeter stopped: 3 served in all"), "its output: " + all);
    } finally {
      greeter.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  /** The first line of the file that starts with {@code prefix}, once it is there (a test thread: it may sleep). */
  private static String firstLine(Path file, String prefix) throws Exception {
    while (true) {
      Optional<String> line = Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      Thread.sleep(50);
    }
  }

  /**
   * A call that fails at once (nothing listens) ends inside the send of the one before it, and a closed loop's next
   * call leaves from that end: the loop must not recurse a call deep per call, or a stack overflow loses calls and the
   * run never answers. On 127.0.0.134, where nothing listens.
   */
  @Test
  void aClosedLoopAgainstAGoneServerEndsWithEveryCallFailed() throws Exception {
    InetSocketAddress nobody = InetSocketAddress.createUnresolved("127.0.0.134", 1);
    GrpcJavaPeer toNobody = GrpcJavaPeer.start(new GrpcJavaPeer.Config("127.0.0.1", 0, nobody, List.of(nobody), 5_000));
    try {
      ExperimentApi nobodyApi = new ExperimentApi("127.0.0.1", toNobody.port(), Duration.ofSeconds(20));
      ExperimentApi.ExperimentAnswer answer = nobodyApi.run(GrpcJavaTypes.ONE_CHANNEL, BenchLoad.parse("closed:c=10,n=20000"));
      assertTrue(answer.ok(), "HTTP " + answer.status() + ": " + answer.error());
      assertEquals(20_000, answer.report().failed(), "errors " + answer.report().outcome().errors());
    } finally {
      toNobody.close();
    }
  }

  @Test
  void badRequestsAre400sThatNameWhatIsValid() throws Exception {
    ExperimentApi.ExperimentAnswer unknown = api.run("ClientWithReuseConn", BenchLoad.burst(10));
    assertEquals(400, unknown.status());
    assertEquals("type must be one of " + GrpcJavaTypes.ALL + ", got 'ClientWithReuseConn'", unknown.error());
    ExperimentApi.ExperimentAnswer badShape = api.run(GrpcJavaTypes.ONE_CHANNEL, new BenchLoad(
        new LoadShape.ClosedLoop(0), 10));
    assertEquals(400, badShape.status());
    assertTrue(badShape.error().endsWith(BenchLoad.FORMS), badShape.error());
  }

  private ExperimentReport run(String type, BenchLoad load) throws Exception {
    ExperimentApi.ExperimentAnswer answer = api.run(type, load);
    assertTrue(answer.ok(), "HTTP " + answer.status() + ": " + answer.error());
    return answer.report();
  }
}

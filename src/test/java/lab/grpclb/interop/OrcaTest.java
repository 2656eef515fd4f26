package lab.grpclb.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import experiment.Experiment.HelloReply;
import experiment.Experiment.HelloRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.services.MetricReport;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.xds.orca.OrcaPerRequestUtil;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import lab.grpclb.Await;
import lab.grpclb.SteadyCalls;
import lab.grpclb.bench.peer.StaticResolver;
import lab.grpclb.client.BalancedChannel;
import lab.grpclb.client.BalancerStatus;
import lab.grpclb.config.AttemptPolicy;
import lab.grpclb.config.BalancerConfig;
import lab.grpclb.config.Capacity;
import lab.grpclb.config.KeepAlive;
import lab.grpclb.config.LbPolicy;
import lab.grpclb.config.ServerConfig;
import lab.grpclb.config.ServiceTime;
import lab.grpclb.config.WeightedRoundRobinConfig;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import lab.grpclb.server.GreeterServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Our pods' ORCA load reports (gRFC A51) read by grpc-java's own parser, and weighted round robin
 * (gRFC A58) on them, ours and grpc-java's own: three pods on 127.0.0.221-223 (ports 50750-50752) that serve 1, 2
 * and 4 calls at once, 20 ms each, under a closed loop of 14 callers (twice what they serve together). Whatever the
 * load, weight = qps / utilization = capacity / service time, so both balancers should split 1:2:4 (14 %, 29 %,
 * 57 %) once their blackout is over. Tolerance: 6 points of share each way, for the weights' noise (the pods'
 * rates and busy share are averaged over a few seconds of a closed loop on a shared 2-core machine), not for the
 * split itself, which a static-stride scheduler follows exactly; round robin would give 33 % each.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrcaTest {
  static final List<String> IPS = List.of("127.0.0.221", "127.0.0.222", "127.0.0.223");
  static final int[] CAPACITIES = {1, 2, 4};
  static final int SERVICE_MS = 20;
  static final int CALLERS = 14;
  static final double TOLERANCE = 0.06;
  static final long WARM_MS = 6_000;
  static final long MEASURED_MS = 3_000;
  final List<GreeterServer> pods = new ArrayList<>();

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    for (int i = 0; i < IPS.size(); i++) {
      ServerConfig config = ServerConfig.forPod(IPS.get(i), 50750 + i, SERVICE_MS)
          .withCapacity(new Capacity(CAPACITIES[i], Capacity.UNLIMITED_QUEUE, ServiceTime.FIXED));
      pods.add(new GreeterServer(vertx, config).start().await(10, TimeUnit.SECONDS));
    }
  }

  @AfterAll
  void stop() throws Exception {
    for (GreeterServer pod : pods) {
      pod.kill().await(10, TimeUnit.SECONDS);
    }
  }

  /** A fourth pod (127.0.0.224:50753, 4 calls at once) that only this test calls, so that its load is this test's. */
  @Test
  void grpcJavasOwnParserReadsTheLoadInOurTrailers(Vertx vertx) throws Exception {
    GreeterServer alone = new GreeterServer(vertx, ServerConfig.forPod("127.0.0.224", 50753, SERVICE_MS)
        .withCapacity(new Capacity(4, Capacity.UNLIMITED_QUEUE, ServiceTime.FIXED))).start().await(10, TimeUnit.SECONDS);
    pods.add(alone);
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.224", 50753).usePlaintext().directExecutor().build();
    AtomicReference<MetricReport> heard = new AtomicReference<>();
    CallOptions orca = CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS).withStreamTracerFactory(
        OrcaPerRequestUtil.getInstance().newOrcaClientStreamTracerFactory(heard::set));
    try {
      for (int i = 0; i < 60; i++) { // 1.2 s of one call at a time: a second of the pod's window at least
        ClientCalls.blockingUnaryCall(channel, GrpcJava.SAY_HELLO, orca, HelloRequest.newBuilder().setName("orca").build());
      }
    } finally {
      channel.shutdownNow();
    }
    MetricReport report = heard.get();
    assertNotNull(report, "grpc-java found an ORCA report in the trailers");
    assertTrue(report.getQps() > 0, "rps_fractional: " + report);
    assertTrue(report.getApplicationUtilization() > 0 && report.getApplicationUtilization() <= 0.25,
        "one call at a time on a pod of 4: busy a quarter of the time at most: " + report);
    assertEquals(0.0, report.getEps(), report.toString());
  }

  @Test
  void ourWeightedRoundRobinSplitsByCapacity(Vertx vertx) throws Exception {
    BalancedChannel channel = weighing(vertx, new WeightedRoundRobinConfig(500, 180_000, 100, 1.0, false, 10_000));
    try {
      Await.until(() -> channel.endpoints().size() == 3, "3 endpoints READY");
      SteadyCalls calls = SteadyCalls.start(vertx, channel, CALLERS);
      Thread.sleep(WARM_MS); // the test thread, not an event loop: the load runs meanwhile
      long[] before = IPS.stream().mapToLong(calls::callsTo).toArray();
      Thread.sleep(MEASURED_MS);
      long[] after = IPS.stream().mapToLong(calls::callsTo).toArray();
      calls.stop();
      BalancerStatus status = channel.status().await(5, TimeUnit.SECONDS);
      assertSplitByCapacity("ours", before, after, status.endpoints().toString());
      assertEquals(0, calls.failed(), calls.toString());
    } finally {
      channel.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void outOfBandReportsWeighTheEndpointsWithoutAnyCall(Vertx vertx) throws Exception {
    BalancedChannel channel = weighing(vertx, new WeightedRoundRobinConfig(0, 180_000, 100, 1.0, true, 300));
    try {
      Await.until(() -> channel.status().toCompletionStage().toCompletableFuture().join().endpoints().stream()
          .allMatch(e -> e.weight() != null && e.weight().lastReport() != null
              && e.weight().lastReport().ageMs() < 1_000), "every pod streams its load (OpenRcaService)");
    } finally {
      channel.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void grpcJavasWeightedRoundRobinSplitsOurPodsByCapacityToo() throws Exception {
    StaticResolver pods = new StaticResolver(List.of(new InetSocketAddress(IPS.get(0), 50750),
        new InetSocketAddress(IPS.get(1), 50751), new InetSocketAddress(IPS.get(2), 50752)));
    NameResolverRegistry.getDefaultRegistry().register(pods);
    Map<String, Object> serviceConfig = Map.of("loadBalancingConfig", List.of(Map.of("weighted_round_robin",
        Map.of("blackoutPeriod", "0.5s", "weightUpdatePeriod", "0.1s"))));
    ManagedChannel channel = NettyChannelBuilder.forTarget(pods.target()).defaultServiceConfig(serviceConfig)
        .usePlaintext().directExecutor().build();
    Map<String, LongAdder> perIp = new ConcurrentHashMap<>();
    AtomicBoolean running = new AtomicBoolean(true);
    LongAdder failed = new LongAdder();
    try {
      for (int i = 0; i < CALLERS; i++) {
        call(channel, perIp, running, failed);
      }
      Thread.sleep(WARM_MS);
      long[] before = IPS.stream().mapToLong(ip -> count(perIp, ip)).toArray();
      Thread.sleep(MEASURED_MS);
      long[] after = IPS.stream().mapToLong(ip -> count(perIp, ip)).toArray();
      running.set(false);
      assertSplitByCapacity("grpc-java", before, after, perIp.toString());
      assertEquals(0, failed.sum());
    } finally {
      running.set(false);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      NameResolverRegistry.getDefaultRegistry().deregister(pods);
    }
  }

  /** Our channel over the three pods, weighted_round_robin by default, with these weights' settings. */
  private BalancedChannel weighing(Vertx vertx, WeightedRoundRobinConfig settings) {
    BalancerConfig base = BalancerConfig.DEFAULT;
    BalancerConfig wrr = new BalancerConfig(LbPolicy.WEIGHTED_ROUND_ROBIN, base.ewmaDecayMs(), base.ewmaInitialRttMs(),
        settings, base.slowStart(), base.ejection(), base.healthCheck());
    BalancedChannel channel = new BalancedChannel(vertx, 10_000, 5_000, KeepAlive.OFF, AttemptPolicy.DEFAULT, wrr,
        () -> null);
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < IPS.size(); i++) {
      endpoints.add(new Endpoint(IPS.get(i), 50750 + i, "pod-" + i, true, true, false));
    }
    channel.endpointsChanged(new EndpointSet(endpoints, endpoints, false));
    return channel;
  }

  /** A closed-loop caller: the next call as soon as this one ends. */
  private static void call(ManagedChannel channel, Map<String, LongAdder> perIp, AtomicBoolean running,
                           LongAdder failed) {
    if (!running.get()) {
      return;
    }
    ClientCalls.asyncUnaryCall(channel.newCall(GrpcJava.SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(10,
        TimeUnit.SECONDS)), HelloRequest.newBuilder().setName("wrr").build(), new StreamObserver<HelloReply>() {
          @Override
          public void onNext(HelloReply reply) {
            perIp.computeIfAbsent(reply.getIpAddress(), k -> new LongAdder()).increment();
          }

          @Override
          public void onError(Throwable error) {
            if (running.get()) {
              failed.increment();
            }
          }

          @Override
          public void onCompleted() {
            call(channel, perIp, running, failed);
          }
        });
  }

  private static long count(Map<String, LongAdder> perIp, String ip) {
    LongAdder count = perIp.get(ip);
    return count == null ? 0 : count.sum();
  }

  private static void assertSplitByCapacity(String who, long[] before, long[] after, String seen) {
    long total = 0;
    for (int i = 0; i < before.length; i++) {
      total += after[i] - before[i];
    }
    int capacity = 0;
    for (int c : CAPACITIES) {
      capacity += c;
    }
    assertTrue(total > 300, who + ": the loop ran (" + total + " calls measured); " + seen);
    StringBuilder shares = new StringBuilder();
    for (int i = 0; i < before.length; i++) {
      shares.append(IPS.get(i)).append(' ').append(String.format("%.3f", (after[i] - before[i]) / (double) total))
          .append(' ');
    }
    System.out.println("[OrcaTest] " + who + " split " + shares + "over " + total + " calls");
    for (int i = 0; i < before.length; i++) {
      double share = (after[i] - before[i]) / (double) total;
      double expected = CAPACITIES[i] / (double) capacity;
      assertTrue(Math.abs(share - expected) <= TOLERANCE, who + " split " + shares + "; expected 1:2:4 (0.143, 0.286,"
          + " 0.571) within " + TOLERANCE + "; " + seen);
    }
  }
}

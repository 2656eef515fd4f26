package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import lab.grpclb.Http;
import lab.grpclb.SteadyCalls;
import lab.grpclb.config.ClientType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ClientWithDnsResolver against the local cluster's DNS: new pods behind the headless name get calls only after
 * the next resolution, and a failed connection brings one sooner. gRPC ports 50113-50115 (no other test uses them).
 */
@ExtendWith(VertxExtension.class)
class DnsResolverTest {
  static final int CALLERS = 40;

  /** Waits until the DNS type has resolved once (the first resolution runs at start). */
  static void awaitResolved(TestClusters.Cluster lab) throws Exception {
    for (int i = 0; i < 300; i++) {
      JsonObject dns = lab.send(HttpMethod.GET, "/status").body().getJsonObject("dns");
      if (dns.getJsonObject("last_resolution") != null) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("ClientWithDnsResolver never resolved");
  }

  /** Polls until every IP has had a call, or the time is up; returns how long it took, or -1. */
  static long msUntilAllServed(SteadyCalls calls, Set<String> ips, long withinMs) throws InterruptedException {
    long started = System.nanoTime();
    while (true) {
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (ips.stream().allMatch(ip -> calls.callsTo(ip) > 0)) {
        return ms;
      }
      if (ms > withinMs) {
        return -1;
      }
      Thread.sleep(10);
    }
  }

  @Test
  void withAOneSecondRefreshNewPodsGetCallsWithinThreeSeconds(Vertx vertx) throws Exception {
    try (TestClusters.Cluster lab = TestClusters.start(vertx, 50113, "--delay-ms", "10", "--dns-refresh-s", "1",
        "--dns-min-interval-s", "1")) {
      awaitResolved(lab);
      SteadyCalls calls = SteadyCalls.start(vertx, lab.local().client().channel(ClientType.DNS_RESOLVER), CALLERS);
      Set<String> before = lab.readyIps();
      lab.scale(5);
      Set<String> all = lab.readyIps();
      assertEquals(5, all.size());
      long ms = msUntilAllServed(calls, all, 3_000);
      calls.stop();
      assertTrue(ms >= 0, "all 5 pods served within 3 s of the scale-up; " + before + " -> " + all + ": " + calls);
      assertEquals(0, calls.failed(), calls.toString());
      System.out.println("ClientWithDnsResolver, refresh 1 s: all 5 pods served " + ms + " ms after the scale-up");

      JsonObject dns = lab.send(HttpMethod.GET, "/status").body().getJsonObject("dns");
      assertEquals("greeter-server-headless.default.svc.cluster.local", dns.getString("name"));
      assertEquals("127.0.0.1:" + lab.local().dnsPort(), dns.getString("server"));
      assertEquals(all, new TreeSet<>(dns.getJsonObject("last_resolution").getJsonArray("ips").getList()), dns.encode());
      assertNotNull(dns.getString("next_resolution_at"), dns.encode());
      assertEquals(5, dns.getJsonArray("endpoints").size(), dns.encode());
    }
  }

  /**
   * With gRPC's 30 s refresh, pods added after the last resolution get nothing for as long as this test watches;
   * then a connection that fails (its pod deleted) brings a resolution after the minimum interval, not the refresh.
   */
  @Test
  void withAThirtySecondRefreshNewPodsWaitUntilAConnectionFails(Vertx vertx) throws Exception {
    try (TestClusters.Cluster lab = TestClusters.start(vertx, 50114, "--delay-ms", "10", "--dns-min-interval-s", "1")) {
      awaitResolved(lab);
      Set<String> before = lab.readyIps();
      SteadyCalls calls = SteadyCalls.start(vertx, lab.local().client().channel(ClientType.DNS_RESOLVER), CALLERS);
      lab.scale(5);
      Set<String> added = new HashSet<>(lab.readyIps());
      added.removeAll(before);
      assertEquals(2, added.size());
      Thread.sleep(2_000); // the JUnit thread; a resolution every 30 s
      for (String ip : added) {
        assertEquals(0, calls.callsTo(ip), "a pod added after the last resolution: " + calls);
      }

      String victim = lab.pods().stream().filter(p -> before.contains(p.getString("ip"))).findFirst().orElseThrow()
          .getString("name");
      assertEquals(202, lab.send(HttpMethod.DELETE, "/cluster/pods/" + victim).status());
      long ms = msUntilAllServed(calls, added, 3_000);
      calls.stop();
      assertTrue(ms >= 0, "the added pods served within 3 s of a connection failing: " + calls);
      assertEquals(0, calls.failed(), calls.toString());
    }
  }

  /** A DNS port in use is a warning line: the cluster runs, and ClientWithDnsResolver says which flag to change. */
  @Test
  void aTakenDnsPortLeavesTheTypeUnavailableNamingTheFlag(Vertx vertx) throws Exception {
    DatagramSocket taken = vertx.createDatagramSocket().listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    try (TestClusters.Cluster lab = TestClusters.start(vertx, 50115, "--delay-ms", "0", "--replicas", "1",
        "--dns-port", String.valueOf(taken.localAddress().port()))) {
      JsonObject type = lab.send(HttpMethod.GET, "/status").body().getJsonObject("types")
          .getJsonObject(ClientType.DNS_RESOLVER.wireName());
      assertEquals(false, type.getBoolean("available"), type.encode());
      assertTrue(type.getString("unavailable_reason").contains("(--dns-port)"), type.encode());
      Http.Answer run = lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithDnsResolver&n=10");
      assertEquals(503, run.status(), run.body().encode());
      assertEquals(200, lab.send(HttpMethod.GET, "/experiment/client?type=ClientWithKubeResolver&n=10").status());
    } finally {
      taken.close();
    }
  }
}

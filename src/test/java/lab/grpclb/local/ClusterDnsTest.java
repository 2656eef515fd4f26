package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import lab.grpclb.config.ListenException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local cluster's DNS over real UDP (and TCP) on 127.0.0.1: the headless name answers the ready pods' A
 * records to Vert.x's DnsClient and to dig, other names NXDOMAIN. gRPC port 50112 (no other test uses it).
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterDnsTest {
  static final int GRPC_PORT = 50112;
  static final String NAME = "greeter-server-headless.default.svc.cluster.local";

  TestClusters.Cluster lab;
  DnsClient dns;

  @BeforeAll
  void start(Vertx vertx) throws Exception {
    lab = TestClusters.start(vertx, GRPC_PORT, "--delay-ms", "0");
    dns = vertx.createDnsClient(new DnsClientOptions().setHost("127.0.0.1").setPort(lab.local().dnsPort())
        .setQueryTimeout(2_000));
  }

  @AfterAll
  void stop() throws Exception {
    dns.close();
    lab.close();
  }

  Set<String> resolveA(String name) throws Exception {
    return new TreeSet<>(dns.resolveA(name).await(5, TimeUnit.SECONDS));
  }

  @Test
  void theHeadlessNameAnswersTheReadyPodsAndOtherNamesAreNxdomain() throws Exception {
    lab.scale(3);
    Set<String> ready = lab.readyIps();
    assertEquals(3, ready.size());
    assertEquals(ready, resolveA(NAME));
    assertEquals(ready, resolveA(NAME.toUpperCase(java.util.Locale.ROOT) + "."), "names are case-insensitive");
    for (String other : new String[] {"greeter-server.default.svc.cluster.local", "example.com",
        "greeter-server-headless.other.svc.cluster.local"}) {
      Throwable error = dns.resolveA(other).map(r -> (Throwable) null).otherwise(e -> e).await(5, TimeUnit.SECONDS);
      assertInstanceOf(DnsException.class, error, other);
      assertEquals(DnsResponseCode.NXDOMAIN, ((DnsException) error).code(), other);
    }
    assertEquals(List.of(), dns.resolveAAAA(NAME).await(5, TimeUnit.SECONDS), "the name exists, with no AAAA");
  }

  /** Ten A records outgrow a 512-byte UDP answer: it comes truncated, and the full set over TCP. */
  @Test
  void aLargeAnswerIsTruncatedOverUdpAndWholeOverTcp() throws Exception {
    lab.scale(10);
    Set<String> ready = lab.readyIps();
    assertEquals(10, ready.size());
    assertEquals(ready, resolveA(NAME), "Vert.x's DnsClient asks again over TCP after the TC bit");
    lab.scale(3);
    assertEquals(lab.readyIps(), resolveA(NAME), "the answer follows the endpoint controller");
    lab.scale(10);
    Assumptions.assumeTrue(digInstalled(), "dig is not installed (apt-get install dnsutils): dig's part skipped");
    ready = lab.readyIps();
    String truncated = dig("+noedns", "+ignore", NAME);
    assertTrue(truncated.contains("flags: qr aa tc rd;"), "the UDP answer says it is truncated: " + truncated);
    assertTrue(truncated.contains("ANSWER: 6,"), "as many 65-byte records as fit in 512 bytes: " + truncated);
    assertEquals(ready, new TreeSet<>(List.of(dig("+short", "+noedns", NAME).trim().split("\n"))),
        "dig asks again over TCP");
    lab.scale(3);
  }

  @Test
  void digSeesThePodsAndNxdomain() throws Exception {
    lab.scale(3);
    Assumptions.assumeTrue(digInstalled(), "dig is not installed (apt-get install dnsutils): dig's part skipped");
    Set<String> ready = lab.readyIps();
    String answer = dig(NAME);
    assertTrue(answer.contains("status: NOERROR"), answer);
    for (String ip : ready) {
      assertTrue(answer.matches("(?s).*" + NAME.replace(".", "\\.") + "\\.\\s+5\\s+IN\\s+A\\s+" + ip.replace(".", "\\.")
          + "\\b.*"), "an A record with TTL 5 for " + ip + ":\n" + answer);
    }
    assertTrue(dig("nothing.default.svc.cluster.local").contains("status: NXDOMAIN"));
  }

  @Test
  void aPortInUseFailsNamingTheFlag(Vertx vertx) throws Exception {
    DatagramSocket taken = vertx.createDatagramSocket().listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    int port = taken.localAddress().port();
    Throwable error = new ClusterDns("default").listen(vertx, port).map(d -> (Throwable) null).otherwise(e -> e)
        .await(5, TimeUnit.SECONDS);
    assertInstanceOf(ListenException.class, error);
    assertTrue(error.getMessage().startsWith("cannot listen on 127.0.0.1:" + port + " (--dns-port): "), error.getMessage());
    taken.close();
  }

  static boolean digInstalled() {
    try {
      return new ProcessBuilder("dig", "-v").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  String dig(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(lab.local().dnsPort()),
        "+time=2", "+tries=1"));
    command.addAll(List.of(args));
    Process dig = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(dig.waitFor(10, TimeUnit.SECONDS), "dig ended");
    return out;
  }
}

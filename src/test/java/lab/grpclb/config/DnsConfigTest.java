package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ClientWithDnsResolver's settings: the DNS server from a flag or resolv.conf, the name, the intervals. */
class DnsConfigTest {

  static DnsConfig local(String... args) {
    return DnsConfig.forLocal(Flags.parse(args, Map.of()), "default");
  }

  @Test
  void theFirstNameserverOfResolvConfIsTheDefault(@TempDir Path dir) throws Exception {
    Path resolv = dir.resolve("resolv.conf");
    Files.writeString(resolv, "# kubelet\nsearch default.svc.cluster.local svc.cluster.local\n"
        + "nameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5\n");
    assertEquals(new HostPort("10.96.0.10", 53), DnsConfig.firstNameserver(resolv));
    Files.writeString(resolv, "nameserver fe80::1%eth0\n");
    assertEquals(new HostPort("fe80::1", 53), DnsConfig.firstNameserver(resolv));
    Files.writeString(resolv, "search local\n");
    assertNull(DnsConfig.firstNameserver(resolv));
    assertNull(DnsConfig.firstNameserver(dir.resolve("missing")));
  }

  @Test
  void theServerFlagTakesAnIpWithAnOptionalPort() {
    assertEquals(new HostPort("127.0.0.1", 5353), DnsConfig.parseServer("--dns-server", "127.0.0.1:5353"));
    assertEquals(new HostPort("10.96.0.10", 53), DnsConfig.parseServer("--dns-server", "10.96.0.10"));
    assertEquals(new HostPort("::1", 53), DnsConfig.parseServer("--dns-server", "::1"));
    assertEquals(new HostPort("::1", 5353), DnsConfig.parseServer("--dns-server", "[::1]:5353"));
    ConfigException byName = assertThrows(ConfigException.class, () -> DnsConfig.parseServer("--dns-server", "kube-dns:53"));
    assertEquals("--dns-server must be an IP address, optionally with :port, got 'kube-dns:53'", byName.getMessage());
    assertThrows(ConfigException.class, () -> DnsConfig.parseServer("--dns-server", "10.0.0.1:99999"));
  }

  @Test
  void defaultsAreGrpcsAndTheHeadlessNameInTheNamespace() {
    DnsConfig defaults = local();
    assertEquals("greeter-server-headless.default.svc.cluster.local", defaults.name());
    assertEquals(30, defaults.refreshSeconds());
    assertEquals(30, defaults.minIntervalSeconds());
    assertNull(defaults.server(), "local mode: its own DNS server, set once it listens");
    HostPort cluster = new HostPort("127.0.0.1", 5353);
    assertEquals(cluster, defaults.withDefaultServer(cluster, "local").server());

    DnsConfig given = local("--dns-server", "127.0.0.9:53", "--dns-name", "x.example", "--dns-refresh-s", "1",
        "--dns-min-interval-s", "0");
    assertEquals(new HostPort("127.0.0.9", 53), given.withDefaultServer(cluster, "local").server(), "a flag wins");
    assertEquals("x.example", given.name());
    assertEquals(1, given.refreshSeconds());
    assertEquals(0, given.minIntervalSeconds());
    ConfigException zero = assertThrows(ConfigException.class, () -> local("--dns-refresh-s", "0"));
    assertTrue(zero.getMessage().startsWith("--dns-refresh-s must be an integer from 1 to 86400"), zero.getMessage());
  }
}

package lab.grpclb.config;

import io.netty.util.NetUtil;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What ClientWithDnsResolver resolves and how often: the headless Service's name, the DNS server that answers it
 * and where that came from (null when none is known: the source then says why, and the type is unavailable), the
 * re-resolution period, and the shortest time between two resolutions (grpc-go's 30 s). The pods' port is the
 * client's {@code --target} port: A records carry none.
 */
public record DnsConfig(String name, HostPort server, String serverSource, int refreshSeconds, int minIntervalSeconds) {
  public static final String HEADLESS_SERVICE = "greeter-server-headless";
  public static final int DNS_PORT = 53;
  static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

  /** The headless Service's cluster DNS name in a namespace, as kube-dns serves it. */
  public static String headlessName(String namespace) {
    return HEADLESS_SERVICE + "." + namespace + ".svc.cluster.local";
  }

  /** Client mode: without {@code --dns-server}, the first nameserver of /etc/resolv.conf (kube-dns in a pod). */
  public static DnsConfig from(Flags flags) {
    String namespace = flags.text(FlagTable.NAMESPACE, KubeConfig.defaultNamespace());
    String given = flags.text(FlagTable.DNS_SERVER);
    if (given != null) {
      return read(flags, namespace, parseServer("--dns-server", given), "--dns-server");
    }
    HostPort nameserver = firstNameserver(RESOLV_CONF);
    return read(flags, namespace, nameserver, nameserver != null ? "first nameserver in " + RESOLV_CONF
        : "no --dns-server given and no nameserver in " + RESOLV_CONF);
  }

  /** Local mode: without {@code --dns-server}, the local cluster's own DNS server, set once it listens. */
  public static DnsConfig forLocal(Flags flags, String namespace) {
    String given = flags.text(FlagTable.DNS_SERVER);
    return given == null ? read(flags, namespace, null, "local cluster")
        : read(flags, namespace, parseServer("--dns-server", given), "--dns-server");
  }

  private static DnsConfig read(Flags flags, String namespace, HostPort server, String source) {
    return new DnsConfig(
        flags.text(FlagTable.DNS_NAME, headlessName(namespace)),
        server,
        source,
        flags.integer(FlagTable.DNS_REFRESH_S),
        flags.integer(FlagTable.DNS_MIN_INTERVAL_S));
  }

  /** The same settings with this server (or none, saying why), unless one was given explicitly. */
  public DnsConfig withDefaultServer(HostPort defaultServer, String source) {
    return server != null ? this : new DnsConfig(name, defaultServer, source, refreshSeconds, minIntervalSeconds);
  }

  /** An IP address (a DNS server is not found by name), with an optional port: 10.96.0.10, 127.0.0.1:5353, [::1]:53. */
  static HostPort parseServer(String source, String value) {
    HostPort parsed = value.startsWith("[") || value.chars().filter(c -> c == ':').count() == 1
        ? HostPort.parse(source, value) : new HostPort(value, DNS_PORT);
    if (!NetUtil.isValidIpV4Address(parsed.host()) && !NetUtil.isValidIpV6Address(parsed.host())) {
      throw new ConfigException(source + " must be an IP address, optionally with :port, got '" + value + "'");
    }
    return parsed;
  }

  /** The first {@code nameserver} line's address, or null when the file is missing or has none. */
  static HostPort firstNameserver(Path resolvConf) {
    try {
      if (!Files.isReadable(resolvConf)) {
        return null;
      }
      for (String line : Files.readAllLines(resolvConf)) {
        String[] words = line.trim().split("\\s+");
        if (words.length >= 2 && words[0].equals("nameserver")) {
          String address = words[1].replaceFirst("%.*$", ""); // drop an IPv6 zone (fe80::1%eth0)
          return NetUtil.isValidIpV4Address(address) || NetUtil.isValidIpV6Address(address)
              ? new HostPort(address, DNS_PORT) : null;
        }
      }
    } catch (IOException e) {
      // no usable resolv.conf: the type says so
    }
    return null;
  }
}

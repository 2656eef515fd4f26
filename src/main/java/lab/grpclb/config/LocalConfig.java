package lab.grpclb.config;

/**
 * Settings of {@code --mode local}: the cluster's shape, and the experiment client in front of it.
 *
 * @param reportKind what {@code --report [NAME]} runs, or null without it
 * @param reportRuns how many times {@code --report} runs each measured point (--runs)
 */
public record LocalConfig(int replicas, int delayMs, int grpcPort, String serviceIp, int apiPort, int dnsPort,
                          ReportKind reportKind, String outDir, String kubeconfig, ClientConfig client, int reportRuns) {

  public static final int MAX_REPLICAS = 100;
  public static final String SERVICE_IP = "127.0.0.250";
  public static final int DEFAULT_API_PORT = 6443;
  public static final int DEFAULT_DNS_PORT = 5353;
  /** The local cluster's one namespace. */
  public static final String NAMESPACE = "default";

  /** Whether to run a report and exit. */
  public boolean report() {
    return reportKind != null;
  }

  public static LocalConfig from(Flags flags) {
    int grpcPort = flags.integer("port", ServerConfig.DEFAULT_PORT, 1, 65535);
    // Per-call connections cost four descriptors here (client, both ends of the service hop, pod), more while closing.
    ClientConfig client = ClientConfig.withLimits(flags, "127.0.0.1", new HostPort(SERVICE_IP, grpcPort), 8)
        .withDns(DnsConfig.forLocal(flags, NAMESPACE));
    String outDir = flags.string("out", "out", "a directory");
    return new LocalConfig(
        flags.integer("replicas", 3, 0, MAX_REPLICAS), // as /cluster/scale: 0 is a valid Deployment size
        flags.integer("delay-ms", "GREETER_DELAY_MS", ServerConfig.DEFAULT_DELAY_MS, 0, 3_600_000),
        grpcPort,
        SERVICE_IP,
        flags.integer("api-port", DEFAULT_API_PORT, 0, 65535),
        flags.integer("dns-port", DEFAULT_DNS_PORT, 0, 65535),
        ReportKind.from(flags),
        outDir,
        // Never $KUBECONFIG as a fallback: that is the user's own file.
        flags.string("kubeconfig", outDir + "/kubeconfig", "a file path"),
        client,
        flags.integer("runs", 3, 1, 20));
  }
}

package lab.grpclb.config;

import java.util.List;

/**
 * Settings of {@code --mode local}: the cluster's shape, and the experiment client in front of it.
 *
 * @param capacity every pod's, at start ({@code POST /cluster/pods/NAME/capacity} changes one)
 * @param warmUp how cold every new pod starts, replacements and scaled-up ones too
 * @param reportKind what {@code --report [NAME]} runs, or null without it
 * @param reportRuns how many times {@code --report} runs each measured point (--runs)
 * @param zones the pods' zones and the cross-zone delay (off without {@code --zones})
 * @param clients experiment clients at start (--clients), each with its own channels
 */
public record LocalConfig(int replicas, int delayMs, Capacity capacity, WarmUp warmUp, int grpcPort, String serviceIp, int apiPort, int dnsPort,
                          ReportKind reportKind, String outDir, String kubeconfig, ClientConfig client, int reportRuns, LocalZones zones,
                          int clients) {

  public static final int MAX_REPLICAS = 100;
  /** Experiment clients local mode runs at most (--clients, POST /cluster/clients). */
  public static final int MAX_CLIENTS = 200;
  public static final String SERVICE_IP = "127.0.0.250";
  /** The local cluster's one namespace. */
  public static final String NAMESPACE = "default";

  /** Whether to run a report and exit. */
  public boolean report() {
    return reportKind != null;
  }

  /** The zones {@code --report zones} (and {@code all}) runs on when --zones names none. */
  public static final List<String> REPORT_ZONES = List.of("a", "b", "c");

  public static LocalConfig from(Flags flags) {
    int grpcPort = flags.integer(FlagTable.POD_PORT);
    // Per-call connections cost four descriptors here (client, both ends of the service hop, pod), more while closing.
    ClientConfig client = ClientConfig.limitsFrom(flags, "127.0.0.1", new HostPort(SERVICE_IP, grpcPort), 8)
        .withDns(DnsConfig.forLocal(flags, NAMESPACE));
    ReportKind reportKind = ReportKind.from(flags);
    if (reportKind != null && reportKind.includes(ReportKind.ZONES) && client.balancer().fleet().zones().isEmpty()) {
      // the zones report needs zones to compare; with --cross-zone-ms at its 0 the other sections run as without
      FleetConfig given = client.balancer().fleet();
      client = client.withFleet(new FleetConfig(given.clientId(), given.zone(), REPORT_ZONES, given.defaults()));
    }
    LocalZones zones = LocalZones.from(flags, client.balancer().fleet());
    FleetConfig fleet = client.balancer().fleet();
    // the first of local mode's clients, client-0 unless named; it runs somewhere: the first zone unless told
    client = client.withFleet(fleet.withClient(flags.isSet(FlagTable.CLIENT_ID) ? fleet.clientId() : "client-0",
        zones.on() && fleet.zone() == null ? zones.names().get(0) : fleet.zone()));
    String outDir = flags.text(FlagTable.OUT);
    return new LocalConfig(
        flags.integer(FlagTable.REPLICAS), // as /cluster/scale: 0 is a valid Deployment size
        flags.integer(FlagTable.DELAY_MS),
        Capacity.from(flags),
        WarmUp.from(flags),
        grpcPort,
        SERVICE_IP,
        flags.integer(FlagTable.API_PORT),
        flags.integer(FlagTable.DNS_PORT),
        reportKind,
        outDir,
        // Never $KUBECONFIG as a fallback: that is the user's own file.
        flags.text(FlagTable.KUBECONFIG, outDir + "/kubeconfig"),
        client,
        flags.integer(FlagTable.RUNS),
        zones,
        flags.integer(FlagTable.CLIENTS));
  }
}

package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import lab.grpclb.config.ClientType;

/**
 * New pods behind a headless Service (grpc-java#8720, grpc-go#6718): an open loop while the cluster scales
 * 3 -> 6 a few seconds in; the DNS client reaches the new pods only at its next re-resolution, the Kubernetes
 * resolver within a second.
 */
final class NewPodsBehindDns implements ReportSection {
  static final int FROM = 3;
  static final int TO = 6;
  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions options;
  private final Map<String, MeasuredRun> runs = new LinkedHashMap<>();
  private final Map<String, Integer> lagS = new LinkedHashMap<>();

  NewPodsBehindDns(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.options = options;
  }

  @Override
  public String name() {
    return "dns";
  }

  /** The types compared, in the order they run. */
  private static List<String> types() {
    return List.of(ClientType.DNS_RESOLVER.wireName(), ClientType.KUBE_RESOLVER.wireName());
  }

  @Override
  public List<PlannedRun> plan() {
    return types().stream().map(type -> PlannedRun.openLoop(type + ", " + FROM + " -> " + TO + " pods",
        options.dnsSeconds(), 1)).toList();
  }

  @Override
  public Future<Void> run() {
    Future<Void> chain = Future.succeededFuture();
    for (String type : types()) {
      chain = chain.compose(v -> oneType(type));
    }
    return chain;
  }

  /** At FROM pods: an open loop, the scale to TO pods at scaleAtS, then back to FROM. */
  private Future<Void> oneType(String type) {
    return api.scale(FROM).compose(c -> Convergence.await(vertx, api)).compose(ms -> api.cluster()).compose(cluster -> {
      Set<String> before = cluster.readyIps();
      Future<MeasuredRun> run = api.experiment(type,
          "rate=" + options.pickerRate() + "&duration_s=" + options.dnsSeconds());
      Promise<Void> scaled = Promise.promise();
      vertx.setTimer(options.scaleAtS() * 1000L, id -> api.scale(TO).onComplete(scaled));
      return Future.all(run, scaled.future()).map(both -> {
        MeasuredRun done = run.result();
        runs.put(type, done);
        int first = Timelines.firstNewPod(done, before, options.scaleAtS());
        lagS.put(type, first < 0 ? null : first - options.scaleAtS());
        return (Void) null;
      });
    }).eventually(() -> api.scale(FROM));
  }

  /** How long after the scale-up this type's calls first reached a new pod, in whole seconds; null if never. */
  Integer lagS(String type) {
    return lagS.get(type);
  }

  @Override
  public void render(Markdown md) {
    md.line("## New pods behind DNS: a headless Service against the Kubernetes API");
    md.line("");
    md.line("An open loop of " + options.pickerRate() + " calls/s for " + options.dnsSeconds() + " s; " + options.scaleAtS()
        + " s in, the cluster scales " + FROM + " → " + TO + ". ClientWithDnsResolver resolves "
        + "`greeter-server-headless` every `--dns-refresh-s` (30 s, grpc-go's minimum); ClientWithKubeResolver watches"
        + " the EndpointSlices. Lag: from the scale to the first second a new pod replied.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    runs.forEach((type, run) -> rows.add(List.of(type, lagS.get(type) == null ? "never, in this run" : "≈ " + lagS.get(type) + " s",
        String.valueOf(Timelines.podsBetween(run, Math.max(0, Timelines.seconds(run) - 5), Timelines.seconds(run)).size()),
        String.valueOf(run.failed()), run.shares())));
    md.table(List.of("type", "lag to a new pod", "pods serving the last 5 s", "failed", "calls per pod"), rows);
  }

  @Override
  public List<String> summary() {
    Integer dns = lagS.get(ClientType.DNS_RESOLVER.wireName());
    Integer kube = lagS.get(ClientType.KUBE_RESOLVER.wireName());
    if (!runs.containsKey(ClientType.DNS_RESOLVER.wireName())) {
      return List.of();
    }
    return List.of("**Headless DNS reacts late:** after a scale " + FROM + " → " + TO + ", ClientWithDnsResolver used a new pod "
        + (dns == null ? "not at all within the run" : "after ≈ " + dns + " s") + ", ClientWithKubeResolver "
        + (kube == null ? "not within the run" : "after ≈ " + kube + " s") + ".");
  }

  @Override
  public List<String> findings() {
    return summary().stream().map(s -> s.replace("**", "")).toList();
  }
}

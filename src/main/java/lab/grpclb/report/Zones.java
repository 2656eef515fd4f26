package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.Range;

/**
 * Zone-aware routing against round robin (issue #26): a fleet of clients spread over the zones, pods spread over the
 * same zones, then one zone left with a single pod. It reports the share of calls kept in the client's zone (the
 * fleet's {@code calls_in_zone}), p50, and the busiest pod over the mean, beside what each rule predicts from the
 * pods' and clients' shares per zone.
 */
final class Zones implements ReportSection {
  private static final String KUBE = ClientType.KUBE_RESOLVER.wireName();
  static final ZoneCase ROUND_ROBIN = new ZoneCase("round_robin", "&lb=round_robin", false, false);
  static final ZoneCase AWARE = new ZoneCase("zone_aware", "&lb=round_robin&zone_aware=true", true, false);
  static final ZoneCase AWARE_SHORT = new ZoneCase("zone_aware, first zone holds 1 pod",
      "&lb=round_robin&zone_aware=true", true, true);
  static final List<ZoneCase> CASES = List.of(ROUND_ROBIN, AWARE, AWARE_SHORT);
  /** How long the clients' watches get to see a pod's new zone (they hear it in milliseconds on loopback). */
  static final long ZONE_SETTLE_MS = 1_000;

  /** A case: the query, whether it routes by zone, and whether the first zone has been left one pod. */
  record ZoneCase(String label, String query, boolean aware, boolean shortZone) {
  }

  /** One case's runs, and the pods' zones it ran on. */
  record ZoneResult(ZoneCase c, ZoneView layout, List<FleetRun> runs) {
    Range range(ToDoubleFunction<FleetRun> value) {
      return FleetRun.range(runs, value);
    }

    double median(ToDoubleFunction<FleetRun> value) {
      return FleetRun.median(runs, value);
    }
  }

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions.ZonesLoad load;
  private final List<ZoneResult> results = new ArrayList<>();
  private ZoneView found;

  Zones(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.load = options.zones();
  }

  @Override
  public String name() {
    return "zones";
  }

  @Override
  public List<PlannedRun> plan() {
    List<PlannedRun> plan = new ArrayList<>();
    for (ZoneCase c : CASES) {
      for (int i = 1; i <= load.runs(); i++) {
        plan.add(PlannedRun.openLoop(c.label() + ", run " + i, load.seconds(), 1));
      }
    }
    return plan;
  }

  @Override
  public Future<Void> run() {
    return CapacityRuns.found(api).compose(cluster -> api.clients().compose(clients -> api.zones().compose(zones -> {
      found = zones;
      if (zones.zones().size() < 2) {
        return Future.failedFuture("the zones experiment needs local mode's --zones (two or more), and it has "
            + zones.zones().size());
      }
      return spread(zones.zones()).compose(v -> api.clients(load.clients())).compose(v -> measureAll())
          .eventually(() -> api.clients(clients).eventually(() -> zonesBack(zones))
              .eventually(() -> CapacityRuns.restore(vertx, api, cluster)));
    })));
  }

  /** {@code pods} pods, in IP order placed on the zones in turn, each replying after the load's delay. */
  private Future<Void> spread(List<String> zones) {
    return api.scale(load.pods()).compose(v -> Convergence.await(vertx, api)).compose(ms -> api.zones())
        .compose(view -> {
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < view.pods().size(); i++) {
            ZoneView.PodZone pod = view.pods().get(i);
            String zone = zones.get(i % zones.size());
            chain = chain.compose(v -> api.delay(pod.name(), load.delayMs())).compose(v -> api.zone(pod.name(), zone));
          }
          return chain.compose(v -> settle());
        });
  }

  private Future<Void> settle() {
    return vertx.timer(ZONE_SETTLE_MS).mapEmpty();
  }

  /** The first zone's pods but one move to the second zone. */
  private Future<Void> shortenFirstZone() {
    return api.zones().compose(view -> {
      String first = view.zones().get(0);
      List<ZoneView.PodZone> there = view.pods().stream().filter(p -> first.equals(p.zone())).toList();
      Future<Void> chain = Future.succeededFuture();
      for (ZoneView.PodZone pod : there.subList(Math.min(1, there.size()), there.size())) {
        chain = chain.compose(v -> api.zone(pod.name(), view.zones().get(1)));
      }
      return chain.compose(v -> settle());
    });
  }

  /** The pods the section found, where still there, back in the zones they had. */
  private Future<Void> zonesBack(ZoneView zones) {
    return api.zones().compose(now -> {
      Future<Void> chain = Future.succeededFuture();
      for (ZoneView.PodZone pod : zones.pods()) {
        boolean there = now.pods().stream().anyMatch(p -> p.name().equals(pod.name()));
        if (there && pod.zone() != null) {
          chain = chain.compose(v -> api.zone(pod.name(), pod.zone()));
        }
      }
      return chain;
    });
  }

  private Future<Void> measureAll() {
    Future<Void> chain = Future.succeededFuture();
    for (ZoneCase c : CASES) {
      chain = chain.compose(v -> c.shortZone() ? shortenFirstZone() : Future.succeededFuture())
          .compose(v -> api.zones()).compose(layout -> runs(c, layout)).map(result -> {
            results.add(result);
            return (Void) null;
          });
    }
    return chain;
  }

  private Future<ZoneResult> runs(ZoneCase c, ZoneView layout) {
    List<FleetRun> runs = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < load.runs(); i++) {
      chain = chain.compose(v -> api.fleetExperiment(KUBE, CapacityRuns.openLoop(load.rate(), load.seconds(), 1)
          + c.query())).map(run -> {
            runs.add(run);
            return (Void) null;
          });
    }
    return chain.map(v -> new ZoneResult(c, layout, List.copyOf(runs)));
  }

  /** The share of the clients in {@code zone}: client i runs in zone i mod Z, client 0 in the first. */
  double clientShare(List<String> zones, String zone) {
    int index = zones.indexOf(zone);
    long count = IntStream.range(0, load.clients()).filter(i -> i % zones.size() == index).count();
    return (double) count / load.clients();
  }

  /**
   * The share of calls each rule keeps in zone, in %, worked out here from the shares of clients and pods, apart from
   * the balancer's code. Round robin sends a client's calls to every pod alike: Σ clients(z) × pods(z). Zone-aware
   * routing (Envoy's rule; local mode's PreferClose hints, each endpoint for its own zone, agree with it wherever they
   * are taken): Σ clients(z) × kept(z).
   */
  double expectedInZone(ZoneCase c, ZoneView layout) {
    double sum = 0;
    for (String zone : layout.zones()) {
      double clients = clientShare(layout.zones(), zone);
      sum += clients * (c.aware() ? kept(layout, zone) : layout.podShare(zone));
    }
    return 100 * sum;
  }

  /**
   * The busiest pod over the mean each rule predicts: round robin loads every pod alike (1); zone-aware, a zone's
   * pods carry what its clients keep plus its part of every short zone's spill (in proportion to its spare pods), and
   * a pod's load over the mean is that over the zone's share of the pods.
   */
  double expectedMaxOverMean(ZoneCase c, ZoneView layout) {
    if (!c.aware()) {
      return 1;
    }
    List<String> zones = layout.zones();
    double spilled = zones.stream().mapToDouble(z -> clientShare(zones, z) * (1 - kept(layout, z))).sum();
    double spareTotal = zones.stream().mapToDouble(z -> spare(layout, z)).sum();
    return zones.stream().filter(z -> layout.podShare(z) > 0).mapToDouble(z -> (clientShare(zones, z) * kept(layout, z)
        + (spareTotal == 0 ? 0 : spilled * spare(layout, z) / spareTotal)) / layout.podShare(z)).max().orElse(1);
  }

  /** What a zone's clients keep in it: all while it holds their share of the pods, else pods(z) / clients(z). */
  private double kept(ZoneView layout, String zone) {
    double clients = clientShare(layout.zones(), zone);
    double pods = layout.podShare(zone);
    return clients == 0 || pods >= clients ? 1 : pods / clients;
  }

  /** A zone's spare pods, where the short zones' calls spill: its share of the pods above its clients'. */
  private double spare(ZoneView layout, String zone) {
    return Math.max(0, layout.podShare(zone) - clientShare(layout.zones(), zone));
  }

  private static String podsPerZone(ZoneView layout) {
    Map<String, Long> count = new TreeMap<>();
    layout.zones().forEach(zone -> count.put(zone, 0L));
    layout.pods().forEach(pod -> count.merge(String.valueOf(pod.zone()), 1L, Long::sum));
    return count.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  @Override
  public void render(Markdown md) {
    md.line("## Zones: keeping calls in the client's zone");
    md.line("");
    int crossMs = found == null ? 0 : found.crossZoneMs();
    md.line(load.clients() + " clients (ClientWithKubeResolver, client i in zone i mod Z) and " + load.pods()
        + " pods spread over the zones, replying after " + load.delayMs() + " ms; a call to another zone pays "
        + crossMs + " ms each way (--cross-zone-ms" + (crossMs == 0 ? ": 0, so crossing costs nothing here" : "")
        + "). A Poisson open loop of " + load.rate() + " calls/s for " + load.seconds() + " s, " + load.runs()
        + " runs per case; the median run and the runs' range. In zone: the attempts whose pod ran in their client's"
        + " zone (`calls_in_zone`); expected from the shares of clients and pods per zone: round robin"
        + " Σ clients(z) × pods(z), and every pod alike; zone-aware Σ clients(z) × kept(z), and the"
        + " busiest pod from Envoy's rule: a zone short of pods for its clients keeps pods(z) / clients(z) of its"
        + " calls and spills the rest to the zones with pods to spare, in proportion; local mode's PreferClose hints"
        + " (each endpoint for its own zone) are taken only where they can carry the zone's clients.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    for (ZoneResult r : results) {
      rows.add(List.of(r.c().label(), podsPerZone(r.layout()), percent(r, FleetRun::inZonePercent),
          Numbers.share(expectedInZone(r.c(), r.layout())), ms(r, run -> run.run().latency().p50()),
          ms(r, run -> run.run().latency().p99()), ratio(r), Numbers.figures(expectedMaxOverMean(r.c(), r.layout())),
          Numbers.count(r.runs().stream()
              .mapToInt(run -> run.run().failed()).sum())));
    }
    md.table(List.of("routing", "pods per zone", "in zone", "expected in zone", "p50 ms", "p99 ms",
        "busiest pod / mean", "expected", "failed (all runs)"), rows);
    md.chart("zones-calls-per-pod.svg", "calls per pod (IP order), each case's first run",
        Charts.callsPerPod(results.stream().map(r -> r.c().label()).toList(),
            results.stream().map(r -> r.runs().get(0).run()).toList()));
  }

  private static String percent(ZoneResult r, ToDoubleFunction<FleetRun> value) {
    Range range = r.range(value);
    String median = Numbers.share(r.median(value));
    return range.min() == range.max() ? median
        : median + " (" + Numbers.percent(Math.round(range.min() * 10) / 10.0) + "–"
            + Numbers.percent(Math.round(range.max() * 10) / 10.0) + ")";
  }

  private static String ms(ZoneResult r, ToDoubleFunction<FleetRun> value) {
    return Numbers.ms(r.median(value), r.range(value)).replace(" ms", "");
  }

  private static String ratio(ZoneResult r) {
    Range range = r.range(FleetRun::loadMaxOverMean);
    return Numbers.figures(r.median(FleetRun::loadMaxOverMean)) + (range.min() == range.max() ? ""
        : " (" + Numbers.figures(range.min()) + "–" + Numbers.figures(range.max()) + ")");
  }

  private ZoneResult result(ZoneCase c) {
    return results.stream().filter(r -> r.c().equals(c)).findFirst().orElse(null);
  }

  @Override
  public List<String> summary() {
    ZoneResult rr = result(ROUND_ROBIN);
    ZoneResult aware = result(AWARE);
    if (rr == null || aware == null) {
      return List.of();
    }
    return List.of("**Zones (" + load.clients() + " clients, " + load.pods() + " pods over " + rr.layout().zones()
        .size() + " zones):** zone-aware routing kept " + Numbers.share(aware.median(FleetRun::inZonePercent))
        + " of calls in the client's zone against round robin's " + Numbers.share(rr.median(FleetRun::inZonePercent))
        + "; p50 " + Numbers.ms(aware.median(run -> run.run().latency().p50())) + " against "
        + Numbers.ms(rr.median(run -> run.run().latency().p50())) + ".");
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    for (ZoneResult r : results) {
      double expected = expectedInZone(r.c(), r.layout());
      Range measured = r.range(FleetRun::inZonePercent);
      String where = switch (measured.against(new Range(expected, expected))) {
        case WITHIN_NOISE -> "the runs' range holds it";
        case SLOWER -> "every run kept more in zone";
        case FASTER -> "every run kept less in zone";
      };
      findings.add(r.c().label() + " (pods per zone " + podsPerZone(r.layout()) + "): " + percent(r,
          FleetRun::inZonePercent) + " of calls in zone, expected " + Numbers.share(expected) + ": " + where
          + "; the busiest pod carried " + ratio(r) + "× the mean, expected "
          + Numbers.figures(expectedMaxOverMean(r.c(), r.layout())) + "×.");
    }
    ZoneResult rr = result(ROUND_ROBIN);
    ZoneResult aware = result(AWARE);
    if (rr != null && aware != null) {
      Range.Verdict p50 = aware.range(run -> run.run().latency().p50())
          .against(rr.range(run -> run.run().latency().p50()));
      findings.add("zone_aware's p50 against round_robin's, by the noise rule: " + p50.words() + " ("
          + ms(aware, run -> run.run().latency().p50()) + " against " + ms(rr, run -> run.run().latency().p50())
          + " ms).");
    }
    return findings;
  }
}

package lab.grpclb.report;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import lab.grpclb.config.ReportKind;

/** The sections a {@code --report} kind runs, in the report's order: the write-up first, the strategy table last. */
final class Sections {
  private Sections() {
  }

  static List<ReportSection> of(ReportKind kind, Vertx vertx, LabApi api, ClientStarter clients, ReportOptions options) {
    List<ReportSection> sections = new ArrayList<>();
    Writeup writeup = kind.includes(ReportKind.WRITEUP) ? new Writeup(vertx, api, options) : null;
    NewPodsBehindDns dns = kind.includes(ReportKind.DNS) ? new NewPodsBehindDns(vertx, api, options) : null;
    RolloutUnderLoad rollout = kind.includes(ReportKind.ROLLOUT) ? new RolloutUnderLoad(vertx, api, options) : null;
    add(sections, writeup);
    if (kind.includes(ReportKind.SLOW_POD)) {
      sections.add(new SlowPod(vertx, api, options));
    }
    if (kind.includes(ReportKind.ERRORING_POD)) {
      sections.add(new ErroringPod(vertx, api, options));
    }
    if (kind.includes(ReportKind.EQUAL_PODS)) {
      sections.add(new EqualPods(vertx, api, options));
    }
    add(sections, dns);
    if (kind.includes(ReportKind.MAX_AGE)) {
      sections.add(new MaxConnectionAgeRuns(api, options));
    }
    add(sections, rollout);
    if (kind.includes(ReportKind.SILENT_POD)) {
      sections.add(new SilentPod(vertx, api, clients, options));
    }
    if (kind.includes(ReportKind.HOT_SPOT)) {
      sections.add(new HotSpot(vertx, api, options));
    }
    if (kind.includes(ReportKind.EQUAL_PODS_VARIANCE)) {
      sections.add(new EqualPodsVariance(vertx, api, options));
    }
    if (kind.includes(ReportKind.HETEROGENEOUS)) {
      sections.add(new Heterogeneous(vertx, api, options));
    }
    if (kind.includes(ReportKind.COLD_START)) {
      sections.add(new ColdStart(vertx, api, clients, options));
    }
    if (kind.includes(ReportKind.FLEET)) {
      sections.add(new Fleet(vertx, api, options));
    }
    if (kind.includes(ReportKind.FLEET_SCALE)) {
      sections.add(new FleetScale(vertx, api, options));
    }
    if (kind.includes(ReportKind.ZONES)) {
      sections.add(new Zones(vertx, api, options));
    }
    if (writeup != null && dns != null && rollout != null) {
      sections.add(new StrategyTable(writeup, dns, rollout));
    }
    return sections;
  }

  private static void add(List<ReportSection> sections, ReportSection section) {
    if (section != null) {
      sections.add(section);
    }
  }
}

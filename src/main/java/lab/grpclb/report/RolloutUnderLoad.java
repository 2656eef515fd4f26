package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.config.ClientType;

/**
 * A rolling update of the 3 pods (grpc-go#4650, grpc-java#11351) under an open loop, for every type and picker:
 * failed calls, retries by kind, p99, and which pods served the end of the run.
 */
final class RolloutUnderLoad implements ReportSection {
  static final int TAIL_S = 5;
  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions options;
  private final Map<String, MeasuredRun> runs = new LinkedHashMap<>();

  RolloutUnderLoad(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.options = options;
  }

  @Override
  public String name() {
    return "rollout";
  }

  /** Label, type, extra query. */
  private static List<String[]> strategies() {
    List<String[]> all = new ArrayList<>();
    all.add(new String[] {ClientType.CLIENT.wireName(), ClientType.CLIENT.wireName(), ""});
    all.add(new String[] {ClientType.REUSE_CONN.wireName(), ClientType.REUSE_CONN.wireName(), ""});
    for (String picker : PickerRuns.PICKERS) {
      all.add(new String[] {ClientType.KUBE_RESOLVER.wireName() + " " + picker, ClientType.KUBE_RESOLVER.wireName(), "&lb=" + picker});
    }
    all.add(new String[] {ClientType.DNS_RESOLVER.wireName(), ClientType.DNS_RESOLVER.wireName(), ""});
    return all;
  }

  @Override
  public List<PlannedRun> plan() {
    return strategies().stream().map(strategy -> PlannedRun.openLoop(strategy[0] + " through a rollout",
        options.rolloutSeconds(), 1)).toList();
  }

  @Override
  public Future<Void> run() {
    Future<Void> chain = api.scale(3).compose(c -> Convergence.await(vertx, api)).mapEmpty();
    for (String[] strategy : strategies()) {
      chain = chain.compose(v -> one(strategy[0], strategy[1], strategy[2]));
    }
    return chain;
  }

  private Future<Void> one(String label, String type, String extra) {
    Future<MeasuredRun> run = api.experiment(type,
        "rate=" + options.pickerRate() + "&duration_s=" + options.rolloutSeconds() + extra);
    Promise<Void> rolled = Promise.promise();
    vertx.setTimer(1_000, id -> api.rollout().onComplete(rolled));
    return Future.all(run, rolled.future()).compose(both -> {
      runs.put(label, run.result());
      return Convergence.await(vertx, api).<Void>mapEmpty();
    });
  }

  /** This type's run during the rollout (ClientWithKubeResolver: with round robin); null if it did not run. */
  MeasuredRun run(String type) {
    return runs.get(type.equals(ClientType.KUBE_RESOLVER.wireName()) ? type + " round_robin" : type);
  }

  @Override
  public void render(Markdown md) {
    md.line("## A rolling update under load");
    md.line("");
    md.line("`POST /cluster/rollout` (like `kubectl rollout restart`: maxSurge 25 %, maxUnavailable 25 %, each old pod"
        + " terminating through a preStop pause, then draining) 1 s into an open loop of " + options.pickerRate()
        + " calls/s for " + options.rolloutSeconds() + " s, for each strategy.");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    runs.forEach((label, run) -> {
      int end = Timelines.seconds(run);
      rows.add(List.of(label, String.valueOf(run.failed()), String.valueOf(run.report().channel().retried().transparent()),
          String.valueOf(run.report().channel().retried().policy()), Numbers.figures(run.latency().p99()),
          String.valueOf(Timelines.podsBetween(run, Math.max(0, end - TAIL_S), end).size()),
          run.topError() == null ? "" : run.topError()));
    });
    md.table(List.of("strategy", "failed", "retried (transparent)", "retried (policy)", "p99 ms",
        "pods serving the last " + TAIL_S + " s", "most frequent error"), rows);
  }

  @Override
  public List<String> summary() {
    List<String> parts = new ArrayList<>();
    runs.forEach((label, run) -> parts.add(label + " " + run.failed()));
    return parts.isEmpty() ? List.of() : List.of("**Failed calls during a rolling update:** " + String.join(", ", parts) + ".");
  }

  @Override
  public List<String> findings() {
    List<String> findings = new ArrayList<>();
    runs.forEach((label, run) -> findings.add("During a rolling update, " + label + " failed " + run.failed() + " of "
        + (run.ok() + run.failed()) + " calls" + (run.failed() > 0 ? " (mostly " + run.topError() + ")" : "")
        + (label.startsWith(ClientType.KUBE_RESOLVER.wireName()) ? (run.failed() == 0 ? "; the goal of 0 is met" : "; the goal of 0 is not met") : "")
        + "."));
    return findings;
  }
}

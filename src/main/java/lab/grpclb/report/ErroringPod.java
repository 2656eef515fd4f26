package lab.grpclb.report;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import lab.grpclb.experiment.ExperimentReport;

/**
 * 5 pods, one failing half its calls with UNAVAILABLE: round robin with the retry policy alone, then with outlier
 * ejection switched on (interval shortened to 2 s, threshold 40 %, as a pushed service config would).
 */
final class ErroringPod implements ReportSection {
  static final double ERROR_RATE = 0.5;
  static final String EJECTION = "enabled=true&interval_ms=2000&threshold=40&min_hosts=5&request_volume=50";
  static final String RETRY_ONLY = "round_robin + retry policy";
  static final String WITH_EJECTION = "round_robin + retry policy + outlier ejection";

  private final Vertx vertx;
  private final LabApi api;
  private final ReportOptions options;
  private final Map<String, MeasuredRun> runs = new LinkedHashMap<>();
  private String badIp;
  private String badPod;

  ErroringPod(Vertx vertx, LabApi api, ReportOptions options) {
    this.vertx = vertx;
    this.api = api;
    this.options = options;
  }

  @Override
  public String name() {
    return "erroring-pod";
  }

  private String load() {
    return "rate=" + options.pickerRate() + "&duration_s=" + options.pickerSeconds();
  }

  @Override
  public List<PlannedRun> plan() {
    return List.of(PlannedRun.openLoop(RETRY_ONLY, options.pickerSeconds(), 1),
        PlannedRun.openLoop(WITH_EJECTION, options.pickerSeconds(), 1));
  }

  @Override
  public Future<Void> run() {
    return PickerRuns.fivePods(vertx, api).compose(pod -> {
      badPod = pod.name();
      badIp = pod.ip();
      return api.errors(badPod, ERROR_RATE, "UNAVAILABLE")
          .compose(v -> PickerRuns.run(api, "round_robin", load())).map(run -> runs.put(RETRY_ONLY, run))
          .compose(v -> api.ejection(EJECTION))
          .compose(v -> PickerRuns.run(api, "round_robin", load())).map(run -> runs.put(WITH_EJECTION, run))
          .<Void>mapEmpty()
          .eventually(() -> api.ejection("enabled=false").compose(v -> api.errors(badPod, 0, "UNAVAILABLE")));
    });
  }

  @Override
  public void render(Markdown md) {
    md.line("## An erroring pod: retries and outlier ejection");
    md.line("");
    md.line(PickerRuns.PODS + " pods; " + badPod + " (" + badIp + ") fails " + Math.round(ERROR_RATE * 100)
        + " % of its calls with UNAVAILABLE (`POST /cluster/pods/" + badPod + "/errors?rate=" + ERROR_RATE
        + "&status=UNAVAILABLE`). An open loop of " + options.pickerRate() + " calls/s for " + options.pickerSeconds()
        + " s per run. Ejection: `POST /balancer/outlier-ejection?" + EJECTION + "` (gRFC A50 failure percentage).");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    runs.forEach((name, run) -> {
      ExperimentReport.EndpointStats bad = run.report().perEndpoint().get(badIp);
      rows.add(List.of(name, String.valueOf(run.failed()), String.valueOf(run.report().channel().retried().policy()),
          String.valueOf(run.report().channel().retried().transparent()),
          bad == null ? "0" : bad.count() + " ok, " + bad.errors() + " failed", perSecond(run)));
    });
    md.table(List.of("run", "failed", "retried (policy)", "retried (transparent)", "the bad pod's calls",
        "its replies per second"), rows);
  }

  /** The bad pod's replies in each second of the run: where ejection shows. */
  private String perSecond(MeasuredRun run) {
    return run.report().timeline().stream().map(s -> String.valueOf(s.countPerIp().getOrDefault(badIp, 0)))
        .collect(Collectors.joining(" "));
  }

  /** Its share of the calls after the first second it served none: what it saw once ejected. */
  private double shareAfterEjection(MeasuredRun run) {
    List<ExperimentReport.Second> seconds = run.report().timeline();
    int first = -1;
    for (int i = 0; i < seconds.size(); i++) {
      if (seconds.get(i).countPerIp().getOrDefault(badIp, 0) == 0 && seconds.get(i).completed() > 0) {
        first = i;
        break;
      }
    }
    if (first < 0) {
      return Double.NaN;
    }
    long bad = 0;
    long all = 0;
    for (ExperimentReport.Second second : seconds.subList(first, seconds.size())) {
      bad += second.countPerIp().getOrDefault(badIp, 0);
      all += second.completed();
    }
    return all == 0 ? 0 : 100.0 * bad / all;
  }

  @Override
  public List<String> summary() {
    MeasuredRun retry = runs.get(RETRY_ONLY);
    MeasuredRun ejected = runs.get(WITH_EJECTION);
    if (retry == null || ejected == null) {
      return List.of();
    }
    return List.of("**An erroring pod (50 % UNAVAILABLE):** the retry policy alone failed " + retry.failed()
        + " calls and retried " + retry.report().channel().retried().policy() + "; with outlier ejection "
        + ejected.failed() + " failed and " + ejected.report().channel().retried().policy() + " were retried.");
  }

  @Override
  public List<String> findings() {
    MeasuredRun ejected = runs.get(WITH_EJECTION);
    if (ejected == null) {
      return List.of();
    }
    double after = shareAfterEjection(ejected);
    String share = Double.isNaN(after) ? "it was never ejected during the run"
        : "after its ejection it answered " + Numbers.share(after) + " of the calls"
            + (after <= 5 ? " (target ≤ 5 %: met)" : " (target ≤ 5 %: not met)");
    return List.of("With a pod failing half its calls, round robin with the retry policy and outlier ejection failed "
        + ejected.failed() + " calls" + (ejected.failed() == 0 ? " (target 0: met)" : " (target 0: not met)") + "; "
        + share + ".");
  }
}

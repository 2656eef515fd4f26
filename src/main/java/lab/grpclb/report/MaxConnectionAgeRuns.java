package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lab.grpclb.config.ClientType;

/**
 * MAX_CONNECTION_AGE (gRFC A9) as the workaround for one shared connection: ClientWithReuseConn through the service
 * address under an open loop, with the servers' max age off, then on; traffic moves between pods as connections
 * are replaced.
 */
final class MaxConnectionAgeRuns implements ReportSection {
  static final int WINDOW_S = 10;
  private final LabApi api;
  private final ReportOptions options;
  private final Map<String, MeasuredRun> runs = new LinkedHashMap<>();

  MaxConnectionAgeRuns(LabApi api, ReportOptions options) {
    this.api = api;
    this.options = options;
  }

  @Override
  public String name() {
    return "max-age";
  }

  @Override
  public List<PlannedRun> plan() {
    return List.of(PlannedRun.openLoop(ClientType.REUSE_CONN.wireName() + ", max age off", options.dnsSeconds(), 1),
        PlannedRun.openLoop(ClientType.REUSE_CONN.wireName() + ", max age " + options.maxAgeMs() + " ms",
            options.dnsSeconds(), 1));
  }

  @Override
  public Future<Void> run() {
    String load = "rate=" + options.pickerRate() + "&duration_s=" + options.dnsSeconds();
    return api.scale(3).compose(v -> api.maxConnectionAge(0))
        .compose(v -> api.experiment(ClientType.REUSE_CONN.wireName(), load)).map(run -> runs.put("off", run))
        .compose(v -> api.maxConnectionAge(options.maxAgeMs()))
        .compose(v -> api.experiment(ClientType.REUSE_CONN.wireName(), load)).map(run -> runs.put(options.maxAgeMs() + " ms", run))
        .<Void>mapEmpty().eventually(() -> api.maxConnectionAge(0));
  }

  @Override
  public void render(Markdown md) {
    md.line("## MaxConnectionAge: moving one shared connection between pods");
    md.line("");
    md.line("ClientWithReuseConn through the service address (kube-proxy picks a pod per connection), an open loop of "
        + options.pickerRate() + " calls/s for " + options.dnsSeconds() + " s, the servers' max connection age off and then "
        + options.maxAgeMs() + " ms (`POST /cluster/max-connection-age?ms=" + options.maxAgeMs() + "`). The busiest pod's"
        + " share per " + WINDOW_S + " s window (100 % is one pod).");
    md.line("");
    List<List<String>> rows = new ArrayList<>();
    runs.forEach((age, run) -> {
      List<String> windows = new ArrayList<>();
      for (int from = 0; from < Timelines.seconds(run); from += WINDOW_S) {
        windows.add(Numbers.percent(Math.round(Timelines.busiestShare(run, from, from + WINDOW_S))) + " %");
      }
      rows.add(List.of(age, String.join(" / ", windows), String.valueOf(run.report().channel().connections()),
          String.valueOf(run.failed()), String.valueOf(run.retried()), run.shares()));
    });
    md.table(List.of("max age", "busiest pod per window", "connections", "failed", "retried", "calls per pod"), rows);
  }

  @Override
  public List<String> summary() {
    MeasuredRun on = runs.get(options.maxAgeMs() + " ms");
    if (on == null) {
      return List.of();
    }
    return List.of("**MaxConnectionAge " + options.maxAgeMs() + " ms** spread ClientWithReuseConn over "
        + on.countPerIp().size() + " pods with " + on.report().channel().connections() + " connections and "
        + on.failed() + " failed calls (off: " + runs.get("off").countPerIp().size() + " pod).");
  }

  @Override
  public List<String> findings() {
    return summary().stream().map(s -> s.replace("**", "")).toList();
  }
}

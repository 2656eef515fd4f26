package lab.grpclb.report;

import java.util.ArrayList;
import java.util.List;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.Range;

/**
 * The report's answer, first and in at most five sentences: which client type to use and why, in this run's
 * numbers. A sentence whose numbers are missing is left out; a verdict on times compares ranges, not medians.
 */
final class Summary {
  static final int MAX_LINES = 5;
  private final WriteupRuns r;
  private final List<String> lines = new ArrayList<>();

  private Summary(WriteupRuns results) {
    this.r = results;
  }

  static List<String> of(WriteupRuns results) {
    Summary summary = new Summary(results);
    summary.answer();
    summary.perCallConnections();
    summary.podsComingAndGoing();
    summary.steadyLoad();
    summary.method();
    return summary.lines.subList(0, Math.min(MAX_LINES, summary.lines.size()));
  }

  private void answer() {
    int n = r.largestN();
    MeasuredRun kube = r.timing(ClientType.KUBE_RESOLVER.wireName(), n);
    MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), n);
    if (kube == null || reuse == null) {
      return;
    }
    boolean spread = kube.failed() == 0 && kube.countPerIp().size() == r.podIps().size();
    Range.Verdict verdict = kube.elapsed().against(reuse.elapsed());
    String pace = verdict == Range.Verdict.WITHIN_NOISE ? "within noise of" : verdict.words() + " than";
    lines.add((spread ? "**Use ClientWithKubeResolver.** " : "ClientWithKubeResolver did not balance this time. ")
        + "At n = " + Numbers.count(n) + " it sent its calls " + kube.shares() + " over "
        + kube.countPerIp().size() + " of " + r.podIps().size() + " pods in " + Numbers.ms(kube.elapsedMs(), kube.elapsed())
        + ", " + pace + " ClientWithReuseConn's " + Numbers.ms(reuse.elapsedMs(), reuse.elapsed()) + "; that one sent "
        + Numbers.percent(100.0 * reuse.largestShare() / Math.max(1, reuse.ok())) + " % of its calls to one pod.");
  }

  private void perCallConnections() {
    int n = r.largestN();
    MeasuredRun client = r.timing(ClientType.CLIENT.wireName(), n);
    MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), n);
    if (client == null || reuse == null) {
      return;
    }
    lines.add("**Avoid a connection per call (Client):** at n = " + Numbers.count(n) + " it took "
        + Numbers.ms(client.elapsedMs(), client.elapsed()) + ", " + Numbers.ratio(client.elapsedMs() / reuse.elapsedMs())
        + "× ClientWithReuseConn" + (client.failed() > 0 ? ", and " + Numbers.count(client.failed()) + " calls failed" : "")
        + ".");
  }

  private void podsComingAndGoing() {
    Step kill = r.step(Step.ScalingStep.KILL);
    Step scaleUp = r.step(Step.ScalingStep.AFTER_SCALE_UP);
    if (kill == null || scaleUp == null) {
      return;
    }
    long failed = r.steps().stream().mapToLong(step -> step.run().failed()).sum();
    long calls = r.steps().stream().mapToLong(step -> step.run().n()).sum();
    lines.add("**Pods come and go without loss:** across the scaling steps ClientWithKubeResolver failed "
        + Numbers.count(failed) + " of " + Numbers.count(calls) + " calls; the pod deleted mid-run cost "
        + kill.run().failed() + " failed and " + kill.run().retried() + " retried, and after the scale-up to "
        + scaleUp.replicas() + " it used " + scaleUp.run().countPerIp().size() + " pods.");
  }

  private void steadyLoad() {
    if (r.steady().isEmpty()) {
      return;
    }
    List<String> p99s = new ArrayList<>();
    r.steady().forEach((type, run) -> p99s.add(type + " " + Numbers.ms(run.latency().p99())));
    lines.add("**Under steady load** (" + Numbers.count(r.options().steadyRate()) + " calls/s for "
        + r.options().steadySeconds() + " s), p99: " + String.join(", ", p99s) + ".");
  }

  private void method() {
    lines.add("Times are medians of " + r.options().runs() + " runs with their min–max; \"faster\" or \"slower\" means the"
        + " ranges do not overlap, otherwise \"within noise\".");
  }
}

package lab.grpclb.report;

import static lab.grpclb.report.Numbers.count;
import static lab.grpclb.report.Numbers.percent;
import static lab.grpclb.report.Numbers.ratio;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lab.grpclb.config.ClientType;
import lab.grpclb.experiment.Range;

/**
 * The findings, one sentence per measured fact, each built from the numbers of this run and set against what
 * the write-up measured (its figures are the constants below). Nothing here is canned: a sentence whose
 * numbers are missing is left out, and a number that contradicts the write-up says so.
 */
final class Findings {
  /** "Client takes 8.5x~10x time than ClientWithReuseConn", ignoring the 500 ms sleep. */
  static final double WRITEUP_OVERHEAD_LOW = 8.5;
  static final double WRITEUP_OVERHEAD_HIGH = 10;
  /** The write-up's Client crashed from n = 3000 on. */
  static final int WRITEUP_CRASH_N = 3000;
  /** The write-up's Client split at n = 2000: 684 / 662 / 654. */
  static final double WRITEUP_CLIENT_SPREAD = 684.0 / 654.0;
  /** The write-up's KubeResolver / ReuseConn time ratios ranged over 0.95 .. 1.00. */
  static final double WRITEUP_KUBE_VS_REUSE_LOW = 699.490834 / 735.631459;
  static final double WRITEUP_KUBE_VS_REUSE_HIGH = 548.33675 / 547.844917;
  /** "On par": within 15 % either way. */
  static final double ON_PAR = 1.15;
  /** Pods that served calls in the write-up's run during the scale-up to 10. */
  static final int WRITEUP_PODS_DURING_SCALE_UP = 4;

  private final WriteupRuns r;
  private final List<String> sentences = new ArrayList<>();

  private Findings(WriteupRuns results) {
    this.r = results;
  }

  static List<String> of(WriteupRuns results) {
    Findings findings = new Findings(results);
    findings.perCallCost();
    findings.crashes();
    findings.clientSpread();
    findings.reuseConcentration();
    findings.kubeVsReuse();
    findings.kubeSplit();
    findings.scaling();
    findings.steady();
    findings.failures();
    return findings.sentences;
  }

  // ---- section 1 ----

  private void perCallCost() {
    int n = r.options().spreadN();
    MeasuredRun client = r.timing(ClientType.CLIENT.wireName(), n);
    MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), n);
    if (client == null || reuse == null) {
      return;
    }
    double delay = r.delayMs();
    say("At n = %s, per-call connections (Client, %s) took %s× as long as the shared connection (ClientWithReuseConn, %s).",
        count(n), client.time(), ratio(client.elapsedMs() / reuse.elapsedMs()), reuse.time());
    List<String> overheads = new ArrayList<>();
    List<String> leftOut = new ArrayList<>();
    double low = Double.MAX_VALUE;
    double high = 0;
    for (int size : r.options().ns()) {
      MeasuredRun c = r.timing(ClientType.CLIENT.wireName(), size);
      MeasuredRun s = r.timing(ClientType.REUSE_CONN.wireName(), size);
      if (c == null || s == null || c.failed() > 0 || s.failed() > 0 || s.elapsedMs() - delay <= 0) {
        leftOut.add("n = " + count(size));
        continue;
      }
      double overhead = (c.elapsedMs() - delay) / (s.elapsedMs() - delay);
      low = Math.min(low, overhead);
      high = Math.max(high, overhead);
      overheads.add(ratio(overhead) + "× (n = " + count(size) + ")");
    }
    if (overheads.isEmpty()) {
      return;
    }
    String verdict = low >= WRITEUP_OVERHEAD_LOW && high <= WRITEUP_OVERHEAD_HIGH ? "in line with it"
        : high < WRITEUP_OVERHEAD_LOW ? "less than it"
        : low > WRITEUP_OVERHEAD_HIGH ? "more than it" : "partly outside it";
    say("Leaving out the %d ms reply delay, Client's time was %s ClientWithReuseConn's%s; the write-up measured 8.5×–10×, so this is %s.",
        (int) delay, String.join(", ", overheads),
        leftOut.isEmpty() ? "" : " (" + String.join(", ", leftOut) + " left out: calls failed)", verdict);
  }

  private void crashes() {
    List<String> survived = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (int n : r.options().ns()) {
      MeasuredRun client = r.timing(ClientType.CLIENT.wireName(), n);
      if (client == null || n < WRITEUP_CRASH_N) {
        continue;
      }
      if (client.failed() == 0) {
        survived.add("n = " + count(n) + " (" + client.time() + "; at most "
            + client.report().experiment().maxOpenConnections() + " connections open at once, so "
            + count(client.report().callsWaited()) + " calls waited for one)");
      } else {
        failed.add("n = " + count(n) + ", " + count(client.failed()) + " of " + count(n) + " Client calls failed (mostly "
            + client.topError() + ")");
      }
    }
    if (!survived.isEmpty()) {
      say("The write-up's Go Client crashed from n = %s on; this one completed every call at %s, which contradicts the crash.",
          count(WRITEUP_CRASH_N), String.join(" and ", survived));
    }
    if (!failed.isEmpty()) {
      say("At %s: the local counterpart of the write-up's crash.", String.join("; at ", failed));
    }
  }

  private void clientSpread() {
    MeasuredRun client = r.timing(ClientType.CLIENT.wireName(), r.options().spreadN());
    if (client == null || client.ok() == 0) {
      return;
    }
    double spread = (double) client.largestShare() / client.smallestShare();
    int pods = client.countPerIp().size();
    String verdict = pods == r.podIps().size() && spread <= WRITEUP_CLIENT_SPREAD * 1.25
        ? "close to even, as the write-up found" : "less even than the write-up's";
    say("Through the service address, Client's n = %s calls landed on %d of %d pods (%s), max/min %s: %s (max/min %s).",
        count(r.options().spreadN()), pods, r.podIps().size(), client.shares(), ratio(spread), verdict,
        ratio(WRITEUP_CLIENT_SPREAD));
  }

  private void reuseConcentration() {
    MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), r.options().spreadN());
    if (reuse == null || reuse.ok() == 0) {
      return;
    }
    double share = 100.0 * reuse.largestShare() / reuse.ok();
    say("ClientWithReuseConn sent %s %% of its n = %s calls to one pod (%s), %s the write-up's 100 %%: one connection, one pod.",
        percent(share), count(r.options().spreadN()), topIp(reuse), share == 100 ? "as in" : "unlike");
  }

  // ---- section 2 ----

  /**
   * The write-up found the two on par. Ours contradicts that only where the runs' ranges do not overlap and the
   * medians differ by more than {@link #ON_PAR}: a difference inside the noise of repeated runs proves nothing.
   */
  private void kubeVsReuse() {
    List<String> ratios = new ArrayList<>();
    List<String> apart = new ArrayList<>();
    int runs = Integer.MAX_VALUE;
    for (int n : r.options().ns()) {
      MeasuredRun kube = r.timing(ClientType.KUBE_RESOLVER.wireName(), n);
      MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), n);
      if (kube == null || reuse == null) {
        continue;
      }
      runs = Math.min(runs, Math.min(kube.runs(), reuse.runs()));
      double ratio = kube.elapsedMs() / reuse.elapsedMs();
      Range.Verdict verdict = kube.elapsed().against(reuse.elapsed());
      ratios.add(ratio(ratio) + "× at n = " + count(n) + " (" + verdict.words() + ")");
      if (verdict != Range.Verdict.WITHIN_NOISE && (ratio > ON_PAR || ratio < 1 / ON_PAR)) {
        apart.add("n = " + count(n));
      }
    }
    if (ratios.isEmpty()) {
      return;
    }
    say("ClientWithKubeResolver's median time relative to ClientWithReuseConn's was %s, %s: %s the write-up's %s×–%s×.",
        String.join(", ", ratios), runs == 1 ? "from single runs (a single run has no noise to measure: use --runs 3)"
            : "over " + runs + " runs each",
        apart.isEmpty() ? "on par, as in" : "beyond the noise at " + String.join(" and ", apart) + ", which contradicts",
        ratio(WRITEUP_KUBE_VS_REUSE_LOW), ratio(WRITEUP_KUBE_VS_REUSE_HIGH));
  }

  /** Section 4: the open loop's tails per type. */
  private void steady() {
    MeasuredRun kube = r.steady().get(ClientType.KUBE_RESOLVER.wireName());
    MeasuredRun reuse = r.steady().get(ClientType.REUSE_CONN.wireName());
    if (kube == null || reuse == null) {
      return;
    }
    Range.Verdict verdict = kube.report().p99Range().against(reuse.report().p99Range());
    say("Under the steady open loop (%s calls/s), ClientWithKubeResolver's p99 was %s ms against ClientWithReuseConn's %s ms (%s), with its calls spread %s against %s.",
        count(r.options().steadyRate()), Numbers.figures(kube.latency().p99()), Numbers.figures(reuse.latency().p99()),
        verdict.words(), kube.shares(), reuse.shares());
  }

  private void kubeSplit() {
    int n = r.options().splitN();
    MeasuredRun kube = r.timing(ClientType.KUBE_RESOLVER.wireName(), n);
    MeasuredRun reuse = r.timing(ClientType.REUSE_CONN.wireName(), n);
    if (kube != null && kube.ok() > 0) {
      int spread = kube.largestShare() - kube.smallestShare();
      say("ClientWithKubeResolver split n = %s as %s over %d pods: max/min %s, %s, %s the write-up's 3334/3333/3333.",
          count(n), kube.shares(), kube.countPerIp().size(), ratio((double) kube.largestShare() / kube.smallestShare()),
          spread <= 1 ? "an exact round robin" : "off an exact round robin by " + spread + " calls",
          spread <= 1 ? "like" : "unlike");
    }
    if (reuse != null && reuse.ok() > 0) {
      say("At the same n, ClientWithReuseConn sent %s %% to %s.", percent(100.0 * reuse.largestShare() / reuse.ok()), topIp(reuse));
    }
  }

  // ---- section 3 ----

  private void scaling() {
    for (Step step : r.steps()) {
      MeasuredRun run = step.run();
      if (step.kill() != null) {
        kill(step);
      } else if (step.kind() == Step.ScalingStep.DURING_SCALE_UP) {
        say("Started as the scale-up to %d began, the run's client knew %d endpoints at its start and %d at its end; its calls went to %d pods (%s), where the write-up's mid-scale run used %d.",
            step.replicas(), run.endpointsAtStart().size(), run.endpointsAtEnd().size(), run.countPerIp().size(),
            run.shares(), WRITEUP_PODS_DURING_SCALE_UP);
      } else {
        int spread = run.largestShare() - run.smallestShare();
        int pods = run.countPerIp().size();
        say("%s: %d pods served calls, %s each%s, %s.%s", step.title(), pods,
            run.smallestShare() == run.largestShare() ? String.valueOf(run.smallestShare())
                : run.smallestShare() + "–" + run.largestShare(), spread <= 1 ? " (exact round robin)" : "",
            pods == step.replicas() ? "every one of the " + pods + " ready pods and no other"
                : "where " + step.replicas() + " pods were ready",
            step.clientSawMs() == null ? "" : " The client routed to exactly the ready pods " + step.clientSawMs()
                + " ms after the scale answered (polled every 5 ms).");
      }
    }
  }

  private void kill(Step step) {
    MeasuredRun run = step.run();
    Step.Kill kill = step.kill();
    boolean midRun = kill.afterMs() < run.elapsedMs();
    say("Deleting pod %s (%s), its DELETE answered %d ms into an n = %s run (%s): %s failed, %s retried on another pod%s; the deleted pod answered %s of the run's calls (before and while draining), its replacement %s (%s) %s.",
        kill.pod(), kill.ip(), kill.afterMs(), count(run.n()), midRun ? "mid-run" : "after the run had ended: not mid-run",
        count(run.failed()), count(run.retried()), run.failed() > 0 ? " (mostly " + run.topError() + ")" : "",
        count(run.count(kill.ip())), kill.replacement(), kill.replacementIp(), count(run.count(kill.replacementIp())));
    Step after = r.step(Step.ScalingStep.AFTER_KILL);
    if (after != null) {
      boolean swapped = after.run().count(kill.ip()) == 0 && after.run().count(kill.replacementIp()) > 0;
      say("The next run used %s: %s the write-up, where one IP changed.", String.join(", ", after.run().countPerIp().keySet()),
          swapped ? kill.ip() + " is gone and " + kill.replacementIp() + " took its place, as in"
              : "the swap of " + kill.ip() + " for " + kill.replacementIp() + " did not show, unlike");
    }
  }

  private void failures() {
    long failed = 0;
    long calls = 0;
    for (Map<Integer, MeasuredRun> byN : r.timings().values()) {
      for (MeasuredRun run : byN.values()) {
        failed += run.failed();
        calls += run.n();
      }
    }
    for (Step step : r.steps()) {
      failed += step.run().failed();
      calls += step.run().n();
    }
    for (MeasuredRun run : r.steady().values()) {
      failed += run.failed();
      calls += run.ok() + run.failed();
    }
    say("In all, %s of %s measured calls failed.", count(failed), count(calls));
  }

  // ---- formatting ----

  private void say(String format, Object... args) {
    sentences.add(String.format(Locale.ROOT, format, args));
  }

  private static String topIp(MeasuredRun run) {
    return run.countPerIp().entrySet().stream().filter(e -> e.getValue() == run.largestShare())
        .map(Map.Entry::getKey).findFirst().orElse("?");
  }
}

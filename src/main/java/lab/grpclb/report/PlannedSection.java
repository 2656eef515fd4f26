package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * A section with a plan given from outside it, everything else its own: the cold-start section's plan is written
 * here while ColdStart.java is being changed elsewhere; once that settles, move {@link #coldStart} into
 * {@code ColdStart.plan()} and drop this.
 */
record PlannedSection(ReportSection section, List<PlannedRun> plan) implements ReportSection {

  /**
   * The JIT warm-up (a closed loop at no delay: a few seconds, a guess), then per case (slow start off, on) the steady
   * loop twice (the first discarded) and the loop from the scale.
   */
  static PlannedSection coldStart(ColdStart section, ReportOptions.ColdStartLoad load) {
    List<PlannedRun> plan = new ArrayList<>();
    plan.add(new PlannedRun("JIT warm-up, " + ColdStart.JIT_WARM_UP_CALLS + " calls (not reported)", 5));
    for (String slowStart : List.of("slow start off", "slow start on")) {
      plan.add(PlannedRun.openLoop(slowStart + ", steady at " + ColdStart.FROM + " pods (discarded)",
          load.steadySeconds(), 1));
      plan.add(PlannedRun.openLoop(slowStart + ", steady at " + ColdStart.FROM + " pods", load.steadySeconds(), 1));
      plan.add(PlannedRun.openLoop(slowStart + ", from the scale to " + ColdStart.TO, load.seconds(), 1));
    }
    return new PlannedSection(section, plan);
  }

  @Override
  public String name() {
    return section.name();
  }

  @Override
  public Future<Void> run() {
    return section.run();
  }

  @Override
  public void render(Markdown md) {
    section.render(md);
  }

  @Override
  public List<String> summary() {
    return section.summary();
  }

  @Override
  public List<String> findings() {
    return section.findings();
  }
}

package lab.grpclb.report;

import java.util.List;

/** A section's name and the experiments it plans to run, in order: what the report's progress line counts. */
record SectionPlan(String name, List<PlannedRun> runs) {
  SectionPlan {
    runs = List.copyOf(runs);
  }

  static SectionPlan of(ReportSection section) {
    return new SectionPlan(section.name(), section.plan());
  }

  double seconds() {
    return runs.stream().mapToDouble(PlannedRun::seconds).sum();
  }
}

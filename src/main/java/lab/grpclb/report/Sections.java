package lab.grpclb.report;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import lab.grpclb.config.ReportKind;

/** The experiments beyond the write-up that a {@code --report} kind runs, in the report's order. */
final class Sections {
  private Sections() {
  }

  static List<ReportSection> of(ReportKind kind, Vertx vertx, LabApi api, ReportOptions options) {
    List<ReportSection> sections = new ArrayList<>();
    if (kind.includes(ReportKind.SLOW_POD)) {
      sections.add(new SlowPod(vertx, api, options));
    }
    if (kind.includes(ReportKind.ERRORING_POD)) {
      sections.add(new ErroringPod(vertx, api, options));
    }
    if (kind.includes(ReportKind.EQUAL_PODS)) {
      sections.add(new EqualPods(vertx, api, options));
    }
    return sections;
  }
}

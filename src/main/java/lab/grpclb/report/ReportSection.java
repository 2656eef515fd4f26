package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.List;

/**
 * One part of the report, the write-up's included: it drives the local cluster through the HTTP API, then writes
 * its section, its summary lines and its findings, all from its own numbers (the strategy table only reads the
 * others'). The report is a list of these, run one after the other, then rendered in the same order.
 */
interface ReportSection {

  /** What the progress log calls it; {@code --report NAME} where it runs alone, e.g. slow-pod. */
  String name();

  Future<Void> run();

  /**
   * The experiments {@link #run} will ask for, in its order, with their expected lengths, for the progress line's
   * count and time left. A section without one still gets a line per run, with nothing to count it against.
   */
  default List<PlannedRun> plan() {
    return List.of();
  }

  void render(Markdown md);

  List<String> summary();

  List<String> findings();
}

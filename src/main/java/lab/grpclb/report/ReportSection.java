package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.List;

/**
 * One experiment of the report beyond the write-up, runnable alone ({@code --report NAME}): it drives the local
 * cluster through the HTTP API, then writes its section, at most two summary lines and its findings, all from
 * its own numbers.
 */
interface ReportSection {

  /** What {@code --report} calls it, e.g. slow-pod. */
  String name();

  Future<Void> run();

  void render(Markdown md);

  List<String> summary();

  List<String> findings();
}

package lab.grpclb.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the dashboard measured under one JVM flavour: the rows of each table (ours and grpc-java's counterpart
 * under the same load, side by side), the rate each pair's load ladder started from, the servers' totals and the
 * logs' warnings of its phases.
 */
record DashboardSection(JvmFlavour flavour, List<String> jvmArgs, Map<DashboardPlan.Table, List<BenchRow>> rows,
                        List<LoadBase> loadBases, List<BenchTable.ServerTotal> servers, List<BenchTable.LogCount> logs,
                        String logDir) {

  /** A type's load ladder: percentages of {@code callsPerS}, the best closed-loop median, found {@code from}. */
  record LoadBase(String type, double callsPerS, String from) {
  }

  DashboardSection {
    Map<DashboardPlan.Table, List<BenchRow>> copy = new EnumMap<>(DashboardPlan.Table.class);
    rows.forEach((table, list) -> copy.put(table, List.copyOf(list)));
    rows = copy;
  }

  List<BenchRow> rows(DashboardPlan.Table table) {
    return rows.getOrDefault(table, List.of());
  }

  /** Every row, for the errors and warnings under the tables. */
  List<BenchRow> allRows() {
    List<BenchRow> all = new ArrayList<>();
    rows.values().forEach(all::addAll);
    return all;
  }
}

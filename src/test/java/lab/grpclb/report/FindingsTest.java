package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import lab.grpclb.client.Retries;
import lab.grpclb.experiment.ExperimentPlan;
import lab.grpclb.experiment.ExperimentReport;
import org.junit.jupiter.api.Test;

/** The findings follow the numbers: the same code agrees with the write-up on some runs and contradicts it on others. */
class FindingsTest {
  static final ReportOptions OPTIONS = new ReportOptions(List.of(1000, 3000), 1000, 3000, 100, 1000, 100, 100, 1, 100,
      1, 100, 1, 10, 100, 4, 1, 300, 3, Path.of("out"));

  static MeasuredRun run(String type, int n, double ms, int failed, Map<String, Integer> counts) {
    return runs(type, n, failed, counts, ms);
  }

  /** Repeated runs of one point: the report is the median's, with every run's elapsed time. */
  static MeasuredRun runs(String type, int n, int failed, Map<String, Integer> counts, double... elapsedMs) {
    List<ExperimentReport> reports = new ArrayList<>();
    for (double ms : elapsedMs) {
      reports.add(new ExperimentReport(new ExperimentPlan(type, n, n, 500), Math.round(ms * 1e6), 1,
          new ExperimentReport.Outcome(n - failed, failed, new TreeMap<>(counts),
              failed == 0 ? Map.of() : Map.of("UNAVAILABLE: connect failed", failed)),
          new ExperimentReport.Latency(ms, ms, ms, ms, ms, ms), List.of(), Map.of(), List.of(), null,
          new ExperimentReport.ChannelSeen(1, List.of(), List.of(), Retries.NONE), n, 0, 0, false, List.of(), null, null));
    }
    return new MeasuredRun(ExperimentReport.median(reports));
  }

  /** The timing runs of a write-up on 3 pods at 500 ms, without its scaling and steady-load runs. */
  static WriteupRuns timings(MeasuredRun... runs) {
    List<ClusterView.PodView> pods = new ArrayList<>();
    for (String ip : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4")) {
      pods.add(new ClusterView.PodView("greeter-server-" + ip, ip, true, 500));
    }
    return new WriteupRuns(OPTIONS, new ClusterView("127.0.0.1:50051", "https://127.0.0.1:6443", pods), List.of(),
        WriteupRuns.byTypeAndN(List.of(runs)), List.of(), Map.of(), 0);
  }

  static String findings(WriteupRuns runs) {
    return String.join("\n", Findings.of(runs));
  }

  @Test
  void numbersLikeTheWriteupsAgreeWithIt() {
    String text = findings(timings(
        run("Client", 1000, 690, 0, Map.of("127.0.0.2", 340, "127.0.0.3", 330, "127.0.0.4", 330)),
        run("ClientWithReuseConn", 1000, 522, 0, Map.of("127.0.0.3", 1000)),
        run("ClientWithKubeResolver", 1000, 515, 0, Map.of("127.0.0.2", 334, "127.0.0.3", 333, "127.0.0.4", 333)),
        run("Client", 3000, 2000, 120, Map.of("127.0.0.2", 960, "127.0.0.3", 960, "127.0.0.4", 960)),
        run("ClientWithReuseConn", 3000, 560, 0, Map.of("127.0.0.3", 3000)),
        run("ClientWithKubeResolver", 3000, 540, 0, Map.of("127.0.0.2", 1000, "127.0.0.3", 1000, "127.0.0.4", 1000))));
    assertTrue(text.contains("took 1.3× as long as the shared connection"), text);
    assertTrue(text.contains("8.6× (n = 1000) ClientWithReuseConn's (n = 3000 left out: calls failed); the write-up measured 8.5×–10×, so this is in line with it"), text);
    assertTrue(text.contains("At n = 3000, 120 of 3000 Client calls failed (mostly UNAVAILABLE: connect failed (120)): the local counterpart"), text);
    assertTrue(text.contains("100 % of its n = 1000 calls to one pod (127.0.0.3), as in the write-up's 100 %"), text);
    assertTrue(text.contains("on par, as in the write-up's"), text);
    assertTrue(text.contains("0.99× at n = 1000 (faster)"), text);
    assertTrue(text.contains("split n = 3000 as 1000/1000/1000 over 3 pods: max/min 1.00, an exact round robin, like"), text);
  }

  @Test
  void numbersUnlikeTheWriteupsSaySo() {
    String text = findings(timings(
        run("Client", 1000, 900, 0, Map.of("127.0.0.2", 1000)),
        run("ClientWithReuseConn", 1000, 520, 0, Map.of("127.0.0.3", 600, "127.0.0.4", 400)),
        run("ClientWithKubeResolver", 1000, 1040, 0, Map.of("127.0.0.2", 334, "127.0.0.3", 333, "127.0.0.4", 333)),
        run("Client", 3000, 1500, 0, Map.of("127.0.0.2", 3000)),
        run("ClientWithReuseConn", 3000, 560, 0, Map.of("127.0.0.3", 3000)),
        run("ClientWithKubeResolver", 3000, 560, 0, Map.of("127.0.0.2", 1100, "127.0.0.3", 1000, "127.0.0.4", 900))));
    assertTrue(text.contains("this is more than it"), text);
    assertTrue(text.contains("completed every call at n = 3000"), text);
    assertTrue(text.contains("which contradicts the crash"), text);
    assertTrue(text.contains("landed on 1 of 3 pods (1000), max/min 1.00: less even than the write-up's"), text);
    assertTrue(text.contains("60 % of its n = 1000 calls to one pod (127.0.0.3), unlike the write-up's 100 %"), text);
    assertTrue(text.contains("2.0× at n = 1000 (slower), 1.00× at n = 3000 (within noise), from single runs (a single run has no noise to measure: use --runs 3): beyond the noise at n = 1000, which contradicts"), text);
    assertTrue(text.contains("off an exact round robin by 200 calls, unlike"), text);
  }

  /** A new user saw "contradicts the write-up" at 0.56× once and 1.2× the next time: runs whose ranges overlap are noise. */
  @Test
  void aDifferenceInsideTheNoiseOfRepeatedRunsContradictsNothing() {
    Map<String, Integer> even = Map.of("127.0.0.2", 1000, "127.0.0.3", 1000, "127.0.0.4", 1000);
    String text = findings(timings(
        runs("ClientWithReuseConn", 3000, 0, Map.of("127.0.0.3", 3000), 1000, 600, 650),
        runs("ClientWithKubeResolver", 3000, 0, even, 560, 1200, 900)));
    assertTrue(text.contains("1.4× at n = 3000 (within noise), over 3 runs each: on par, as in the write-up's"), text);
    assertFalse(text.contains("contradicts the write-up"), text);
  }
}

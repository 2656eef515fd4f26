package lab.grpclb.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The report's progress line on a clock the test moves: counts, sections, elapsed time and time left. */
class ReportProgressTest {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final List<String> lines = new ArrayList<>();
  final ReportProgress progress = new ReportProgress(nanos::get, lines::add);

  void at(double seconds) {
    nanos.set(1_000_000_000L + Math.round(seconds * 1e9));
  }

  static SectionPlan section(String name, double... seconds) {
    List<PlannedRun> runs = new ArrayList<>();
    for (int i = 0; i < seconds.length; i++) {
      runs.add(new PlannedRun("run " + (i + 1), seconds[i]));
    }
    return new SectionPlan(name, runs);
  }

  @Test
  void timeLeftIsThePlanLeftScaledByTheOverrunSoFar() {
    progress.started(List.of(section("a", 100, 200), section("b", 300)));
    progress.sectionStarted(0);
    progress.runStarted("Client", "n=1");
    at(120); // run 1 planned 100 s took 120 with its setup: 1.2 times the plan
    progress.runStarted("Client", "n=1");
    at(120 + 240 + 30); // 390 s for 300 planned: 1.3
    progress.sectionStarted(1);
    progress.runStarted("Client", "n=1");
    assertEquals(List.of(
        "[1/3] a: run 1 (section 1/2) · elapsed 0s · about 10m left",
        "[2/3] a: run 2 (section 1/2) · elapsed 2m00s · about 10m left", // 1.2 x (200 + 300)
        "[3/3] b: run 1 (section 2/2) · elapsed 6m30s · about 7m left"), lines); // 1.3 x 300 = 390 s
  }

  @Test
  void aReportAheadOfItsPlanStillExpectsTheWholePlan() {
    progress.started(List.of(section("a", 100, 200)));
    progress.sectionStarted(0);
    progress.runStarted("Client", "n=1");
    at(50); // a burst guessed too long: open loops cannot end early, so the plan stands
    progress.runStarted("Client", "n=1");
    assertEquals(1.0, progress.overrun(50));
    assertEquals("[2/2] a: run 2 (section 1/1) · elapsed 50s · about 3m left", lines.get(1));
  }

  @Test
  void runsThePlanLacksAddToTheTotalAndRunsSkippedLeaveIt() {
    progress.started(List.of(section("a", 10, 10, 10), section("b"), section("c", 20)));
    progress.sectionStarted(0);
    progress.runStarted("Client", "n=1");
    at(10);
    progress.sectionStarted(1); // a skipped two of its runs
    progress.runStarted("ClientWithReuseConn", "rate=5&duration_s=2");
    at(20);
    progress.sectionStarted(2);
    progress.runStarted("Client", "n=1");
    progress.finished();
    assertEquals("[1/4] a: run 1 (section 1/3) · elapsed 0s · about 50s left", lines.get(0));
    assertEquals("[2/3] b: ClientWithReuseConn rate=5 duration_s=2 (section 2/3) · elapsed 10s · about 20s left",
        lines.get(1));
    assertEquals("[3/3] c: run 1 (section 3/3) · elapsed 20s · about 40s left", lines.get(2)); // 20 s for 10 planned
    assertEquals("report ran 3 experiments in 20s (their plan: 30s)", lines.get(3));
  }

  @Test
  void timesReadAsAPersonSaysThem() {
    assertEquals("42s", ReportProgress.clock(42.4));
    assertEquals("4m12s", ReportProgress.clock(252));
    assertEquals("1h05m", ReportProgress.clock(3900));
    assertEquals("5s", ReportProgress.roughly(0.2));
    assertEquals("45s", ReportProgress.roughly(41));
    assertEquals("6m", ReportProgress.roughly(370));
    assertEquals("1h05m", ReportProgress.roughly(3900));
  }

  @Test
  void plannedLengthsComeFromTheLoad() {
    assertEquals(30, PlannedRun.openLoop("x", 10, 3).seconds());
    assertEquals(2 * (0.5 + 10_000 / 25_000.0), PlannedRun.burst("x", 10_000, 2).seconds(), 1e-9);
    assertEquals(3 * 20 * 0.5, PlannedRun.closedLoop("x", 6000, 300, 3).seconds(), 1e-9);
  }
}

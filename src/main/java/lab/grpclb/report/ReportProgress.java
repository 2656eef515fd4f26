package lab.grpclb.report;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The report's progress line: one per experiment, as it starts, with its number out of the report's total, its
 * section, the time so far and about how long is left. A run is matched to its section's plan by order; a run the
 * plan lacks still gets its line (the total grows), and runs a section planned but skipped leave the total when the
 * next section starts. Time left is the planned seconds of this run and every later one, scaled by how far the
 * report has run over its plan so far (setup between runs, a slower machine), never below the plan: an open loop
 * cannot end early. Lines go to {@code out} whole, one per step, so a CI log reads them as they come.
 */
final class ReportProgress {
  private final LongSupplier nanoClock;
  private final Consumer<String> out;
  /** Set once the sections exist (they are built with the API that tells this of their runs). */
  private List<SectionPlan> sections = List.of();
  private long startNanos;
  private int section = -1;
  /** The next planned run of the current section. */
  private int nextInSection;
  private int started;
  /** Planned seconds of the runs started so far: those before the current one have ended. */
  private double plannedStarted;

  ReportProgress(LongSupplier nanoClock, Consumer<String> out) {
    this.nanoClock = nanoClock;
    this.out = out;
    this.startNanos = nanoClock.getAsLong();
  }

  /** For a {@link LabApi} outside a report: no plan, no lines. */
  static ReportProgress none() {
    return new ReportProgress(System::nanoTime, line -> { });
  }

  /** The report starts with these sections' plans: the clock starts now. */
  synchronized void started(List<SectionPlan> plans) {
    sections = List.copyOf(plans);
    startNanos = nanoClock.getAsLong();
  }

  /** The section at {@code index} starts: the runs its predecessor planned and did not run leave the total. */
  synchronized void sectionStarted(int index) {
    section = index;
    nextInSection = 0;
  }

  /** An experiment starts: its line goes out. */
  synchronized void runStarted(String type, String query) {
    List<PlannedRun> plan = section < 0 ? List.of() : sections.get(section).runs();
    PlannedRun run = nextInSection < plan.size() ? plan.get(nextInSection++)
        : new PlannedRun(type + " " + query.replace('&', ' '), 0);
    double elapsedS = elapsedSeconds();
    double leftS = overrun(elapsedS) * (run.seconds() + laterSeconds());
    started++;
    plannedStarted += run.seconds();
    String name = section < 0 ? "" : sections.get(section).name() + ": ";
    out.accept("[" + started + "/" + (started + laterRuns()) + "] " + name + run.label() + " (section " + (section + 1)
        + "/" + sections.size() + ") · elapsed " + clock(elapsedS) + " · about " + roughly(leftS) + " left");
  }

  /** The report's last line: how many runs it took and how long, against what their plan said. */
  synchronized void finished() {
    out.accept("report ran " + started + " experiments in " + clock(elapsedSeconds()) + " (their plan: "
        + clock(plannedStarted) + ")");
  }

  /**
   * How many times its plan the report has taken so far, at least 1: the runs started before now have ended, and the
   * setup between them is part of what the remaining runs will take too.
   */
  double overrun(double elapsedS) {
    return plannedStarted > 0 ? Math.max(1, elapsedS / plannedStarted) : 1;
  }

  private double elapsedSeconds() {
    return (nanoClock.getAsLong() - startNanos) / 1e9;
  }

  /** Planned seconds after the current run: the rest of this section's plan and every later section's. */
  private double laterSeconds() {
    double seconds = 0;
    for (int s = Math.max(0, section); s < sections.size(); s++) {
      List<PlannedRun> runs = sections.get(s).runs();
      for (int r = s == section ? nextInSection : 0; r < runs.size(); r++) {
        seconds += runs.get(r).seconds();
      }
    }
    return seconds;
  }

  private int laterRuns() {
    int runs = 0;
    for (int s = Math.max(0, section); s < sections.size(); s++) {
      runs += s == section ? Math.max(0, sections.get(s).runs().size() - nextInSection) : sections.get(s).runs().size();
    }
    return runs;
  }

  /** A time so far: "42s", "4m12s", "1h05m". */
  static String clock(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
  }

  /** A time left, no finer than it can be known: "10s" (up to 5 s), "6m" (whole minutes), "1h05m". */
  static String roughly(double seconds) {
    if (seconds < 60) {
      return Math.max(5, (long) Math.ceil(seconds / 5) * 5) + "s";
    }
    long minutes = Math.round(seconds / 60);
    return minutes < 60 ? minutes + "m" : String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
  }
}

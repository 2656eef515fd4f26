package lab.grpclb;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * A test that did not run says so on the console, with its reason, as it happens and again at the end: Maven's
 * summary counts skips but names none, and the reason (chromium-driver missing, not root, ...) is otherwise only in
 * the surefire XML. Registered for every run through META-INF/services.
 */
public final class SkippedTestsOnConsole implements TestExecutionListener {
  private final PrintStream out;
  private final List<String> skipped = new ArrayList<>();

  public SkippedTestsOnConsole() {
    this(System.out);
  }

  SkippedTestsOnConsole(PrintStream out) {
    this.out = out;
  }

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    said(test, reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) { // an assumption that did not hold
      said(test, result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    if (!skipped.isEmpty()) {
      out.println("[SKIPPED] " + skipped.size() + " test(s) did not run:");
      skipped.forEach(line -> out.println("[SKIPPED]   " + line));
    }
  }

  private void said(TestIdentifier test, String reason) {
    String line = name(test) + ": " + reason;
    skipped.add(line);
    out.println("[SKIPPED] " + line);
  }

  private static String name(TestIdentifier test) {
    return test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
        .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName())
        .orElse(test.getDisplayName());
  }
}

package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherFactory;

/** A real JUnit run of two tests that do not run: each says why on the console, and the end lists both. */
class SkippedTestsOnConsoleTest {

  /** Not a test of the suite (surefire runs no nested class): the run below is its only use. */
  static class TwoThatDoNotRun {
    @Test
    void needsATool() {
      Assumptions.assumeTrue(false, "no chromedriver in /usr/bin (apt-get install chromium-driver)");
    }

    @Test
    @Disabled("waits for a fix upstream")
    void disabled() {
    }

    @Test
    void runs() {
    }
  }

  @Test
  void eachSkipIsSaidWithItsReasonAndListedAtTheEnd() {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    // without the listeners the suite registers: its own would report these two as the suite's skips
    LauncherConfig alone = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build();
    LauncherFactory.create(alone).execute(request().selectors(DiscoverySelectors.selectClass(TwoThatDoNotRun.class)).build(),
        new SkippedTestsOnConsole(new PrintStream(console, true, StandardCharsets.UTF_8)));
    List<String> lines = console.toString(StandardCharsets.UTF_8).lines().sorted().toList();
    String tool = "SkippedTestsOnConsoleTest$TwoThatDoNotRun.needsATool: Assumption failed: no chromedriver in /usr/bin"
        + " (apt-get install chromium-driver)";
    String disabled = "SkippedTestsOnConsoleTest$TwoThatDoNotRun.disabled: waits for a fix upstream";
    assertEquals(List.of("[SKIPPED] 2 test(s) did not run:", "[SKIPPED] " + tool, "[SKIPPED] " + disabled,
        "[SKIPPED]   " + tool, "[SKIPPED]   " + disabled).stream().sorted().toList(), lines);
  }
}

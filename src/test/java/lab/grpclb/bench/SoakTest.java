package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import lab.grpclb.config.ClientType;
import org.junit.jupiter.api.Test;

/**
 * The chaos soak, 30 s of it, in this JVM (gRPC port 50074, no other test uses it): the chaos really happened, pod
 * freezes and health flips included, ClientWithKubeResolver lost no call (hedging rescued those sent into a frozen
 * pod), nothing logged a stack trace, and the descriptors did not pile up.
 */
class SoakTest {
  static final Duration SHORT = Duration.ofSeconds(30);
  /** Sockets come and go with pods and per-call connections; a leak grows past this within the soak. */
  static final long FD_HEADROOM = 200;

  @Test
  void thirtySecondsOfChaosWithFreezesLoseNoKubeResolverCallAndLogNoStackTrace() throws Exception {
    SoakOptions options = SoakOptions.defaults().withDuration(SHORT).withPort(50074);
    SoakResult result = new Soak(options, line -> System.out.println("[soak] " + line)).run();
    String markdown = SoakMarkdown.render(result, "SoakTest");
    System.out.println(markdown);

    Chaos.ChaosActions chaos = result.chaos();
    assertTrue(chaos.kills() > 0, markdown);
    assertTrue(chaos.freezes() > 0, markdown);
    assertTrue(markdown.contains("| freezes (unfrozen) |"), "the table says how many freezes it did: " + markdown);
    assertTrue(chaos.controlPlane().watchDrops() > 0 && chaos.controlPlane().streamsDropped() > 0, markdown);
    assertTrue(chaos.controlPlane().compactions() > 0, markdown);
    assertTrue(chaos.controlPlane().failuresAnswered() > 0, "the client reconnected into the 500s: " + markdown);
    SoakResult.TypeSummary kube = result.type(ClientType.KUBE_RESOLVER);
    assertTrue(kube != null && kube.runs() > 0, markdown);
    assertTrue(result.types().size() == 3, "the other types ran in turn: " + markdown);
    assertTrue(result.last().fds() <= result.first().fds() + FD_HEADROOM, "open fds grew: " + markdown);
    assertTrue(chaos.healthFlips() > 0, markdown);
    assertTrue(kube.hedgeWon() > 0, "hedges rescued calls sent into frozen pods: " + markdown);
    assertEquals(0, kube.failed(), "ClientWithKubeResolver failed calls, by status " + kube.errors() + "\n" + markdown);
    assertEquals(0, result.logs().stackTraceTotal(), "stack traces " + result.logs().stackTraces() + "\n" + markdown);
  }
}

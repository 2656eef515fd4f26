package lab.grpclb;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The startup log has one line per component: the Kubernetes bridge's steps (its "master url" without the
 * scheme's colon, a whole service record) are not among them; its warnings still are.
 */
class LoggingTest {

  @Test
  void theDiscoveryBridgesStepsAreNotLoggedButItsWarningsAre() {
    Logging.quietLibraries();
    Logger bridge = Logger.getLogger("io.vertx.servicediscovery.kubernetes.KubernetesServiceImporter");
    assertFalse(bridge.isLoggable(Level.INFO), "\"Kubernetes master url: http//...\" and the record dump");
    assertFalse(Logger.getLogger("io.vertx.servicediscovery.impl.DiscoveryImpl").isLoggable(Level.INFO));
    assertTrue(bridge.isLoggable(Level.WARNING));
    assertTrue(Logger.getLogger("lab.grpclb.discovery.EndpointSliceWatch").isLoggable(Level.INFO), "ours stay");
  }
}

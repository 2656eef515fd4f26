package lab.grpclb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire names are the reference's and the runbook's: they are pinned here, whatever the constants are called. */
class ClientTypeTest {

  @Test
  void wireNamesAreTheReferencesInItsOrder() {
    assertEquals(List.of("Client", "ClientWithReuseConn", "ClientWithKubeResolver", "ClientWithDnsResolver"),
        ClientType.wireNames());
    assertEquals(List.of("Client", "ClientWithReuseConn", "ClientWithKubeResolver"),
        ClientType.wireNames(ClientType.WRITEUP));
    assertEquals(List.of("ClientWithKubeResolver", "ClientWithDnsResolver"), ClientType.wireNames(ClientType.BALANCING));
    assertEquals("ClientWithReuseConn", ClientType.REUSE_CONN.toString(), "logs and messages show the wire name");
  }

  @Test
  void parsingTakesWireNamesOnlyAndNamesTheValidOnes() {
    assertEquals(ClientType.DNS_RESOLVER, ClientType.parse("ClientWithDnsResolver", IllegalStateException::new));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClientType.parse("KUBE_RESOLVER", IllegalStateException::new));
    assertEquals("unknown type 'KUBE_RESOLVER'; valid types: Client, ClientWithReuseConn, ClientWithKubeResolver,"
        + " ClientWithDnsResolver", e.getMessage());
  }
}

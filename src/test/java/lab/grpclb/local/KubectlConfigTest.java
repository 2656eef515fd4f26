package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import lab.grpclb.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The kubeconfig file: where it goes, what it names, and whose files it never replaces. */
@ExtendWith(VertxExtension.class)
class KubectlConfigTest {
  @TempDir
  Path dir;

  @Test
  void itIsWrittenWithItsDirectoryAndReplacesItsOwnEarlierFile(Vertx vertx) throws Exception {
    Path file = dir.resolve("out/kubeconfig");
    String written = KubectlConfig.write(vertx, file.toString(), yaml("https://127.0.0.1:1", "default"))
        .await(5, TimeUnit.SECONDS);
    assertEquals(file.toAbsolutePath().toString(), written);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--")); // as an older run left it
    KubectlConfig.write(vertx, file.toString(), yaml("https://127.0.0.1:2", "ns")).await(5, TimeUnit.SECONDS);
    String yaml = Files.readString(file);
    assertTrue(yaml.contains("server: https://127.0.0.1:2") && yaml.contains("namespace: ns"), yaml);
    assertTrue(yaml.contains("current-context: " + KubectlConfig.NAME), yaml);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "it holds a token");
  }

  @Test
  void itCarriesTheCaAndTheTokenKubectlSendsOverTls() {
    String yaml = yaml("https://127.0.0.1:1", "default");
    assertTrue(yaml.contains("    certificate-authority-data: " + Base64.getEncoder().encodeToString(CA.getBytes(StandardCharsets.US_ASCII))), yaml);
    assertTrue(yaml.contains("\n    token: the-token\n"), yaml);
    assertTrue(yaml.contains("    user: " + KubectlConfig.NAME + "\n"), yaml);
  }

  static final String CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  static String yaml(String server, String namespace) {
    return KubectlConfig.yaml(server, namespace, CA, "the-token");
  }

  @Test
  void someoneElsesFileIsRefusedNamingTheFlagAndLeftAsItWas(Vertx vertx) throws Exception {
    Path theirs = dir.resolve("config");
    Files.writeString(theirs, "apiVersion: v1\nkind: Config\ncurrent-context: prod\n");
    ConfigException refused = assertThrows(ConfigException.class, () -> KubectlConfig.write(vertx, theirs.toString(),
        yaml("https://127.0.0.1:1", "default")).await(5, TimeUnit.SECONDS));
    assertTrue(refused.getMessage().contains("--kubeconfig " + theirs + " exists and is not a kubeconfig grpc-lb-lab wrote"),
        refused.getMessage());
    assertEquals("apiVersion: v1\nkind: Config\ncurrent-context: prod\n", Files.readString(theirs));

    Path underAFile = theirs.resolve("kubeconfig");
    ConfigException unwritable = assertThrows(ConfigException.class, () -> KubectlConfig.write(vertx, underAFile.toString(),
        yaml("https://127.0.0.1:1", "default")).await(5, TimeUnit.SECONDS));
    assertTrue(unwritable.getMessage().startsWith("--kubeconfig " + underAFile + ": cannot write it"), unwritable.getMessage());
  }
}

package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import lab.grpclb.config.ConfigException;

/**
 * The kubeconfig local mode writes, so that {@code kubectl} finds the control plane with no flags: one cluster
 * (its HTTPS address and the CA that signed its certificate), one user (a bearer token that may change objects),
 * one context, current. client-go sends a kubeconfig's credentials only to a TLS server, which is why the control
 * plane serves HTTPS. The file is the user's only (0600), as it holds the token; it never replaces a file this class
 * did not write, such as a real {@code ~/.kube/config}.
 */
final class KubectlConfig {
  /** The name of the cluster, the user and the context; a file naming it is one this class wrote. */
  static final String NAME = "grpc-lb-lab-local";
  private static final String OWNER_ONLY = "rw-------";

  private KubectlConfig() {
  }

  static String yaml(String server, String namespace, String caPem, String token) {
    return """
        # Written by grpc-lb-lab --mode local for its control plane; valid while it runs.
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %4$s
        users:
        - name: %1$s
          user:
            token: %5$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s
            namespace: %3$s
        current-context: %1$s
        """.formatted(NAME, server, namespace, Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)),
        token);
  }

  /**
   * Writes the file (its directory too), readable by its owner only before the token goes in, and answers its
   * absolute path; fails on someone else's file.
   */
  static Future<String> write(Vertx vertx, String path, String yaml) {
    FileSystem fs = vertx.fileSystem();
    Path file = Path.of(path).toAbsolutePath().normalize();
    String absolute = file.toString();
    return fs.exists(absolute)
        .compose(exists -> exists ? fs.readFile(absolute).map(b -> b.toString().contains("name: " + NAME)) : Future.succeededFuture(true))
        .compose(ours -> ours ? Future.<Void>succeededFuture()
            : Future.failedFuture(new ConfigException("--kubeconfig " + path + " exists and is not a kubeconfig grpc-lb-lab wrote;"
                + " give another path (the default is out/kubeconfig)")))
        .compose(v -> file.getParent() == null ? Future.<Void>succeededFuture() : fs.mkdirs(file.getParent().toString()))
        .compose(v -> fs.exists(absolute))
        .compose(exists -> exists ? Future.<Void>succeededFuture() : fs.createFile(absolute, OWNER_ONLY))
        .compose(v -> fs.chmod(absolute, OWNER_ONLY)) // an older run's file may have been readable by others
        .compose(v -> fs.writeFile(absolute, Buffer.buffer(yaml)))
        .recover(err -> Future.failedFuture(err instanceof ConfigException ? err
            : new ConfigException("--kubeconfig " + path + ": cannot write it (" + err.getMessage() + ")")))
        .map(absolute);
  }
}

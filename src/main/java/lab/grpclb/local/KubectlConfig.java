package lab.grpclb.local;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import java.nio.file.Path;
import lab.grpclb.config.ConfigException;

/**
 * The kubeconfig local mode writes, so that {@code kubectl} finds the control plane with no flags: one
 * cluster, one context, current. It holds no credentials: client-go reads a kubeconfig's credentials only
 * for a TLS server ("only try to read the auth information if we are secure", clientcmd), and this one
 * serves plain HTTP, where it lets requests without a token read. It never replaces a file it did not
 * write, such as a real {@code ~/.kube/config}.
 */
final class KubectlConfig {
  /** The name of the cluster and the context; a file naming it is one this class wrote. */
  static final String NAME = "grpc-lb-lab-local";

  private KubectlConfig() {
  }

  static String yaml(String server, String namespace) {
    return """
        # Written by grpc-lb-lab --mode local for its control plane; valid while it runs.
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            namespace: %3$s
        current-context: %1$s
        """.formatted(NAME, server, namespace);
  }

  /** Writes the file (its directory too) and answers its absolute path; fails on someone else's file. */
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
        .compose(v -> fs.writeFile(absolute, Buffer.buffer(yaml)))
        .recover(err -> Future.failedFuture(err instanceof ConfigException ? err
            : new ConfigException("--kubeconfig " + path + ": cannot write it (" + err.getMessage() + ")")))
        .map(absolute);
  }
}

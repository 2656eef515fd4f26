package lab.grpclb.report;

import io.vertx.core.Future;
import java.util.function.UnaryOperator;
import lab.grpclb.config.ClientConfig;

/**
 * Starts one more experiment client on the running cluster, its config changed (keepalive off, say), for a section
 * that compares what only a flag changes; answers its HTTP port once it has discovered the pods. The client lives
 * until the cluster stops.
 */
@FunctionalInterface
public interface ClientStarter {
  /** For a report run against a client alone: a section that needs another client says it cannot have one. */
  ClientStarter NONE = change -> Future.failedFuture("no other client can be started here (only --mode local can)");

  Future<Integer> start(UnaryOperator<ClientConfig> change);
}

package lab.grpclb.mode;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * A started mode: its Vert.x, how it drains and releases what it holds (on SIGTERM or Ctrl-C), and, for a mode
 * that ends by itself (local mode's report), when it is done.
 */
public record Running(Vertx vertx, Supplier<Future<Void>> graceful, Future<?> done) {

  public Running(Vertx vertx, Supplier<Future<Void>> graceful) {
    this(vertx, graceful, null);
  }

  /** Drains, then releases; Vert.x itself is closed by the caller. */
  public Future<Void> close() {
    return graceful.get();
  }
}

package lab.grpclb.experiment;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Event-loop contexts that fire an experiment's calls, one per core. They are the contexts of one
 * deployment with several instances, which Vert.x spreads over distinct event loops.
 */
public final class FirerPool {
  private final List<Context> contexts;

  private FirerPool(List<Context> contexts) {
    this.contexts = List.copyOf(contexts);
  }

  public static Future<FirerPool> deploy(Vertx vertx, int size) {
    List<Context> contexts = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> new VerticleBase() {
          @Override
          public Future<?> start() {
            contexts.add(context);
            return Future.succeededFuture();
          }
        }, new DeploymentOptions().setInstances(size))
        .map(id -> new FirerPool(contexts));
  }

  public List<Context> contexts() {
    return contexts;
  }
}

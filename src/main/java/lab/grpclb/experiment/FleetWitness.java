package lab.grpclb.experiment;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import lab.grpclb.client.GreeterChannel;

/**
 * What local mode adds to a run's answer about its fleet (calls and connections per client, connections per pod
 * counted by the pods, the load's max over mean): fields beside the report's, never instead of one.
 */
public interface FleetWitness {

  /** A run on {@code channel} (the type's channel, before a request's view) starts now. */
  WatchedRun begin(GreeterChannel channel);

  /** One run, watched from its start. */
  interface WatchedRun {
    /** The answer's added fields, once the run has ended with replies {@code countPerIp}. */
    JsonObject fields(Map<String, Integer> countPerIp);
  }
}

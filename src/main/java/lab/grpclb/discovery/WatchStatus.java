package lab.grpclb.discovery;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One immutable snapshot of the EndpointSlice watch, published in one write so a reader on any thread sees
 * a consistent whole. {@code nextRetryAt} is set only while a retry is scheduled.
 */
public record WatchStatus(WatchState state, boolean synced, String resourceVersion, int reconnects, int lists,
    String lastError, Instant lastErrorAt, int slices, boolean fallbackToTerminating, Instant nextRetryAt) {

  static final WatchStatus INITIAL = new WatchStatus(WatchState.STARTING, false, null, 0, 0, null, null, 0, false, null);

  /** Whether a watch stream is open now. */
  public boolean connected() {
    return state == WatchState.WATCHING;
  }

  /** The /status shape; field names are part of the API (add, never rename). */
  public JsonObject toJson() {
    return new JsonObject()
        .put("state", state.label())
        .put("connected", connected())
        .put("synced", synced)
        .put("resourceVersion", resourceVersion)
        .put("reconnects", reconnects)
        .put("lists", lists)
        .put("last_error", lastError)
        .put("last_error_at", lastErrorAt == null ? null : lastErrorAt.toString())
        .put("next_retry_at", nextRetryAt == null ? null : nextRetryAt.toString())
        .put("slices", slices)
        .put("fallback_to_terminating", fallbackToTerminating);
  }
}

package lab.grpclb.discovery;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;

/**
 * One list or watch request to the API server that can be stopped, as kuberesolver's watchInterface can:
 * {@link #result()} is its outcome (for a watch: the server ended the stream), {@link #close()} resets the
 * HTTP request so the server sees it close. Lives on the context it was made on, as its HTTP stream does.
 */
public final class ApiRequest<T> {
  private final Context context;
  private final Promise<T> result = Promise.promise();
  private HttpClientRequest request;
  private boolean stopped;

  ApiRequest(Context context) {
    this.context = context;
  }

  /** Completes with the answer; fails on an error, and when stopped. */
  public Future<T> result() {
    return result.future();
  }

  /**
   * Resets the request if it is open and aborts it if it was not sent yet. When the returned future
   * completes, the request delivers nothing more: no event, no result.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      result.tryFail("API request stopped");
      HttpClientRequest open = request;
      request = null;
      (open == null ? Future.<Void>succeededFuture() : open.reset().otherwiseEmpty()).onComplete(done);
    });
    return done.future();
  }

  /** Whether close() ran; a stream checks it before handing out each event. */
  boolean stopped() {
    return stopped;
  }

  /** The HTTP request, before it is sent; false (and the request aborted unsent) when close() came first. */
  boolean attach(HttpClientRequest request) {
    // A failure (a reset included) reaches result() through the response; unhandled, Vert.x would log it.
    request.exceptionHandler(ignored -> { });
    if (stopped) {
      request.reset();
      return false;
    }
    this.request = request;
    return true;
  }

  void finish(AsyncResult<T> outcome) {
    request = null; // done: a later close() must not reset a connection that went back to the pool
    if (!stopped) {
      result.handle(outcome);
    }
  }
}

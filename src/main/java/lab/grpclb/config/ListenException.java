package lab.grpclb.config;

import io.vertx.core.Future;

/** A port that could not be bound, with the flag that chose it: a startup error, not a stack trace. */
public final class ListenException extends RuntimeException {
  public ListenException(String flag, String host, int port, Throwable cause) {
    super("cannot listen on " + host + ":" + port + " (" + flag + "): " + cause.getMessage(), cause, false, false);
  }

  /** Turns a failed listen into this exception, naming the flag. */
  public static <T> Future<T> naming(String flag, String host, int port, Throwable cause) {
    return Future.failedFuture(new ListenException(flag, host, port, cause));
  }
}

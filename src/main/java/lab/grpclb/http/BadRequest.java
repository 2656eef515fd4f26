package lab.grpclb.http;

/** A request that cannot run as asked: answered 400, and the message says why and what would run. */
public final class BadRequest extends IllegalArgumentException {
  public BadRequest(String message) {
    super(message, null);
  }
}

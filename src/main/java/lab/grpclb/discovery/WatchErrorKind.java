package lab.grpclb.discovery;

/** What went wrong with the EndpointSlice watch, as /metrics counts it. */
public enum WatchErrorKind {
  /** 410 Gone: the resourceVersion expired; the watch relists. */
  GONE,
  /** 401 or 403: the token or the RBAC. */
  UNAUTHORIZED,
  /** Any other HTTP error from the API server. */
  HTTP,
  /** No answer: refused, reset, TLS, timeout. */
  TRANSPORT,
  /** An ERROR event inside an open watch, other than 410. */
  ERROR_EVENT;

  static WatchErrorKind of(Throwable error) {
    if (!(error instanceof KubeApiException api)) {
      return TRANSPORT;
    }
    return switch (api.status()) {
      case 410 -> GONE;
      case 401, 403 -> UNAUTHORIZED;
      default -> HTTP;
    };
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

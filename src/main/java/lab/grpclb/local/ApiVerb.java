package lab.grpclb.local;

import java.util.Locale;

/** What a request does to a resource, as RBAC names it; the last four change objects. */
enum ApiVerb {
  GET, LIST, WATCH, CREATE, UPDATE, PATCH, DELETE;

  boolean writes() {
    return ordinal() >= CREATE.ordinal();
  }

  /** The name RBAC rules and refusals use: "get", "patch"... */
  String rbac() {
    return name().toLowerCase(Locale.ROOT);
  }
}

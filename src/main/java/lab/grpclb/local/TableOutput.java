package lab.grpclb.local;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The Table form kubectl asks for ({@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io}): the
 * columns and a row per object, each row carrying the object's metadata, the whole object, or nothing, as
 * {@code ?includeObject=} says (Metadata by default, as the real server does).
 */
final class TableOutput {
  static final String CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

  /** The values of {@code ?includeObject=}, spelled as the API spells them. */
  enum IncludeObject { None, Metadata, Object }

  private final IncludeObject include;

  private TableOutput(IncludeObject include) {
    this.include = include;
  }

  /**
   * A Table if the Accept header asks for one; fails naming the valid values on a bad includeObject.
   */
  static Optional<TableOutput> requested(String accept, String includeObject) {
    if (accept == null || !accept.contains("as=Table")) {
      return Optional.empty();
    }
    if (includeObject == null || includeObject.isEmpty()) {
      return Optional.of(new TableOutput(IncludeObject.Metadata));
    }
    for (IncludeObject value : IncludeObject.values()) {
      if (value.name().equals(includeObject)) {
        return Optional.of(new TableOutput(value));
      }
    }
    throw new IllegalArgumentException("includeObject must be None, Metadata or Object, got '" + includeObject + "'");
  }

  /** A Table of these objects, as a list or a get answers it. */
  JsonObject table(ApiResource resource, List<JsonObject> objects, long resourceVersion) {
    Instant now = Instant.now();
    JsonArray rows = new JsonArray();
    objects.forEach(o -> rows.add(row(resource, o, now)));
    return new JsonObject().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1")
        .put("metadata", new JsonObject().put("resourceVersion", String.valueOf(resourceVersion)))
        .put("columnDefinitions", new JsonArray(TablePrinter.columns(resource).stream().map(TablePrinter.Column::toJson).toList()))
        .put("rows", rows);
  }

  /** One object as a watch event carries it: a Table of one row. */
  JsonObject table(ApiResource resource, JsonObject object) {
    return table(resource, List.of(object), Long.parseLong(object.getJsonObject("metadata").getString("resourceVersion")));
  }

  private JsonObject row(ApiResource resource, JsonObject object, Instant now) {
    JsonObject row = new JsonObject().put("cells", new JsonArray(TablePrinter.cells(resource, object, now)));
    return switch (include) {
      case None -> row;
      case Metadata -> row.put("object", new JsonObject().put("kind", "PartialObjectMetadata")
          .put("apiVersion", "meta.k8s.io/v1").put("metadata", object.getJsonObject("metadata")));
      case Object -> row.put("object", ApiRoutes.typed(resource, object));
    };
  }
}

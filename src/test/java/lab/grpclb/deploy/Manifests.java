package lab.grpclb.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Every object of every manifest in deploy/ (kustomization.yaml aside), by "Kind/name". */
record Manifests(Map<String, JsonNode> objects) {
  static Manifests load(Path dir) throws IOException {
    YAMLMapper yaml = new YAMLMapper();
    Map<String, JsonNode> objects = new LinkedHashMap<>();
    for (String file : yamlFilesIn(dir)) {
      if (file.equals("kustomization.yaml")) {
        continue;
      }
      try (var docs = yaml.readerFor(JsonNode.class).<JsonNode>readValues(dir.resolve(file).toFile())) {
        for (JsonNode doc : docs.readAll()) {
          if (doc == null || doc.isNull() || doc.isMissingNode()) {
            continue;
          }
          assertTrue(doc.isObject(), file + ": a document is not an object");
          assertTrue(doc.path("kind").isTextual() && doc.at("/metadata/name").isTextual(), file + ": object without kind or name");
          assertTrue(objects.put(key(doc), doc) == null, file + ": " + key(doc) + " defined twice");
        }
      }
    }
    return new Manifests(objects);
  }

  JsonNode get(String kind, String name) {
    JsonNode object = objects.get(kind + "/" + name);
    if (object == null) {
      throw new AssertionError("deploy/ has no " + kind + " " + name);
    }
    return object;
  }

  Set<String> keys() {
    return objects.keySet();
  }

  List<JsonNode> all() {
    return List.copyOf(objects.values());
  }

  Manifests copy() {
    Map<String, JsonNode> copy = new LinkedHashMap<>();
    objects.forEach((k, v) -> copy.put(k, v.deepCopy()));
    return new Manifests(copy);
  }

  static String key(JsonNode object) {
    return object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
  }

  static Set<String> yamlFilesIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      Set<String> names = new TreeSet<>();
      files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml") || n.endsWith(".yml")).forEach(names::add);
      return names;
    }
  }
}

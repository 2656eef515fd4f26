package lab.grpclb.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The benchmark seeds its control plane through the endpoint controller: servers of other JVMs, listed ready. */
@ExtendWith(VertxExtension.class)
class EndpointControllerTest {

  @Test
  void syncReadyListsEveryServerReadyInTheServicesSlice(Vertx vertx) throws Exception {
    ControlPlane api = new ControlPlane(vertx, ControlPlane.Options.realistic()).listen("127.0.0.1", 0).await(5, TimeUnit.SECONDS);
    try {
      EndpointController controller = new EndpointController(api, "greeter-server", 50051, ips -> { });
      controller.createService("127.0.0.250");
      controller.syncReady(List.of("127.0.0.2", "127.0.0.3"));

      JsonArray slices = get(api, ApiResource.ENDPOINTSLICES.path(EndpointController.NAMESPACE)).getJsonArray("items");
      assertEquals(1, slices.size(), slices.encodePrettily());
      JsonObject slice = slices.getJsonObject(0);
      assertEquals("greeter-server", slice.getJsonObject("metadata").getJsonObject("labels")
          .getString("kubernetes.io/service-name"));
      JsonArray endpoints = slice.getJsonArray("endpoints");
      assertEquals(2, endpoints.size());
      for (int i = 0; i < 2; i++) {
        JsonObject endpoint = endpoints.getJsonObject(i);
        assertEquals("127.0.0." + (2 + i), endpoint.getJsonArray("addresses").getString(0));
        assertEquals(new JsonObject().put("ready", true).put("serving", true).put("terminating", false),
            endpoint.getJsonObject("conditions"));
      }
      assertEquals(50051, slice.getJsonArray("ports").getJsonObject(0).getInteger("port"));
      assertEquals("127.0.0.250", get(api, ApiResource.SERVICES.path(EndpointController.NAMESPACE))
          .getJsonArray("items").getJsonObject(0).getJsonObject("spec").getString("clusterIP"));
    } finally {
      api.close().await(5, TimeUnit.SECONDS);
    }
  }

  /** A list, from the JUnit thread (never an event loop), as kubectl would ask it. */
  private static JsonObject get(ControlPlane api, String path) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }
}

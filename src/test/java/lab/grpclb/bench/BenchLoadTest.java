package lab.grpclb.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import lab.grpclb.experiment.LoadShape;
import org.junit.jupiter.api.Test;

/** --shape specs, the query each sends to a client, and the query read back as the grpc-java peer reads it. */
class BenchLoadTest {

  @Test
  void aClosedLoopAsSpecAndQuery() {
    BenchLoad load = BenchLoad.parse("closed:c=1000,n=100000");
    assertEquals(new BenchLoad(new LoadShape.ClosedLoop(1000), 100_000), load);
    assertEquals("concurrency=1000&n=100000", load.query());
    assertEquals("closed:c=1000,n=100000", load.spec());
    assertEquals(load, BenchLoad.fromQuery(query(load)));
  }

  @Test
  void anOpenLoopForADurationOrACount() {
    BenchLoad timed = BenchLoad.parse("open:rate=20000,duration_s=10");
    assertEquals(new BenchLoad(new LoadShape.OpenLoop(20_000, LoadShape.Arrival.UNIFORM, 10), 200_000), timed);
    assertEquals("rate=20000&duration_s=10&arrival=uniform", timed.query());
    assertEquals("open:rate=20000,duration_s=10", timed.spec());
    assertEquals(timed, BenchLoad.fromQuery(query(timed)));

    BenchLoad counted = BenchLoad.parse("open:rate=2.5,n=40,arrival=poisson");
    assertEquals(new BenchLoad(new LoadShape.OpenLoop(2.5, LoadShape.Arrival.POISSON, null), 40), counted);
    assertEquals("rate=2.5&n=40&arrival=poisson", counted.query());
    assertEquals("open:rate=2.5,n=40,arrival=poisson", counted.spec());
    assertEquals(counted, BenchLoad.fromQuery(query(counted)));
  }

  @Test
  void aBurstIsTheNListsRow() {
    BenchLoad burst = BenchLoad.burst(10_000);
    assertEquals("n=10000", burst.query());
    assertTrue(burst.isBurst());
    assertEquals(burst, BenchLoad.fromQuery(query(burst)));
  }

  @Test
  void everyBadShapeSaysWhatIsWrongAndNamesTheValidForms() {
    Map<String, String> bad = Map.of(
        "closed:c=0,n=10", "c must be an integer from 1 to 100000000, got '0'",
        "closed:n=10", "a closed loop needs c=C and n=N",
        "closed:c=5,n=10,rate=3", "unknown parameter 'rate': a closed loop takes c and n",
        "open:rate=100", "an open loop needs rate=R and one of duration_s=D or n=N",
        "open:rate=100,n=10,duration_s=2", "an open loop needs rate=R and one of duration_s=D or n=N",
        "open:rate=-1,n=10", "rate must be calls per second above 0 and at most 1000000, got '-1'",
        "open:rate=100,n=10,arrival=bursty", "arrival must be uniform or poisson, got 'bursty'",
        "open:rate=0.01,duration_s=10", "rate x duration_s must come to 1 to 100000000 calls, got 0",
        "burst:n=10", "unknown shape 'burst'",
        "closed:c=5,c=6,n=10", "'c=6' is not a key=value given once");
    bad.forEach((spec, why) -> {
      String message = assertThrows(BenchOptions.Usage.class, () -> BenchLoad.parse(spec)).getMessage();
      assertEquals("--shape '" + spec + "': " + why + "; " + BenchLoad.FORMS, message);
    });
  }

  @Test
  void aBadQueryIsRefusedAsTheClientWouldRefuseIt() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("concurrency", "0");
    query.put("n", "10");
    String message = assertThrows(IllegalArgumentException.class, () -> BenchLoad.fromQuery(query)).getMessage();
    assertTrue(message.startsWith("query 'concurrency=0&n=10': concurrency must be an integer"), message);
    assertTrue(message.endsWith(BenchLoad.FORMS), message);
  }

  /** The query string as a map, as the peer decodes it. */
  private static Map<String, String> query(BenchLoad load) {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : load.query().split("&")) {
      query.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
    }
    return query;
  }
}

package lab.grpclb.balance;

import static lab.grpclb.balance.FakeHelper.endpoints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import lab.grpclb.config.SlowStartConfig;
import lab.grpclb.discovery.Endpoint;
import lab.grpclb.discovery.EndpointSet;
import org.apache.commons.codec.digest.MurmurHash3;
import org.junit.jupiter.api.Test;

/**
 * Random subsetting (gRFC A68): the hash is MurmurHash3 as Guava computes it, a client keeps its subset, many
 * clients spread evenly over the pods, and a pod joining moves at most one member of each subset.
 */
class RandomSubsetTest {
  static final int PODS = 20;
  static final int SIZE = 5;
  static final int CLIENTS = 1_000;

  static List<Endpoint> pods(int count) {
    return endpoints(IntStream.range(0, count).mapToObj(i -> "10.0.1." + i).toArray(String[]::new)).routable();
  }

  static Set<String> keys(List<Endpoint> endpoints) {
    Set<String> keys = new HashSet<>();
    endpoints.forEach(e -> keys.add(e.key()));
    return keys;
  }

  @Test
  void commonsCodecsHashIsMurmurHash3AsGuavaComputesIt() {
    Random random = new Random(1);
    for (int length = 0; length <= 40; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      byte[] guava = Hashing.murmur3_128().hashBytes(data).asBytes();
      long[] ours = MurmurHash3.hash128x64(data);
      assertEquals(Hashing.murmur3_128().hashBytes(data).asLong(), ours[0], "h1, length " + length);
      long h2 = 0;
      for (int i = 15; i >= 8; i--) {
        h2 = (h2 << 8) | (guava[i] & 0xffL);
      }
      assertEquals(h2, ours[1], "h2, length " + length);
    }
    Endpoint pod = pods(1).get(0);
    assertEquals(Hashing.murmur3_128().hashString(pod.key() + "client-a", StandardCharsets.UTF_8).asLong(),
        new RandomSubset(1, "client-a").rank(pod).h1(), "a rank is the hash of the address with the salt appended");
  }

  @Test
  void theSameClientIdAlwaysGetsTheSameSubset() {
    List<Endpoint> pods = pods(PODS);
    List<Endpoint> shuffled = new ArrayList<>(pods);
    Collections.shuffle(shuffled, new Random(3));
    Set<String> first = keys(new RandomSubset(SIZE, "client-a").of(pods));
    assertEquals(SIZE, first.size());
    assertEquals(first, keys(new RandomSubset(SIZE, "client-a").of(shuffled)), "whatever order the pods come in");
    assertTrue(!first.equals(keys(new RandomSubset(SIZE, "client-b").of(pods))), "another client, another subset");
  }

  @Test
  void fewerEndpointsThanTheSizeOrSizeZeroKeepsThemAll() {
    List<Endpoint> pods = pods(3);
    assertEquals(pods, new RandomSubset(SIZE, "c").of(pods));
    assertEquals(pods(PODS), new RandomSubset(0, "c").of(pods(PODS)));
  }

  /**
   * Each pod is in each client's subset with probability S / N, so its count over C clients is about binomial:
   * mean C S / N, deviation sqrt(C (S/N) (1 - S/N)). The fullest of N pods lies about sqrt(2 ln N) deviations above
   * the mean; the bound allows 1.5 more.
   */
  @Test
  void overManyClientIdsTheSubsetsSpreadEvenlyOverThePods() {
    List<Endpoint> pods = pods(PODS);
    Map<String, Integer> count = new HashMap<>();
    for (int c = 0; c < CLIENTS; c++) {
      new RandomSubset(SIZE, "greeter-client-" + c).of(pods).forEach(e -> count.merge(e.key(), 1, Integer::sum));
    }
    double p = (double) SIZE / PODS;
    double mean = CLIENTS * p;
    double deviation = Math.sqrt(CLIENTS * p * (1 - p));
    double bound = 1 + (Math.sqrt(2 * Math.log(PODS)) + 1.5) * deviation / mean;
    int max = Collections.max(count.values());
    assertEquals(PODS, count.size(), "every pod is in some subset");
    assertTrue(max / mean <= bound, "max/mean " + max / mean + " above " + bound + ": " + count);
  }

  @Test
  void addingOnePodMovesAtMostOneMemberOfEachSubset() {
    List<Endpoint> before = pods(PODS);
    List<Endpoint> after = pods(PODS + 1);
    int moved = 0;
    for (int c = 0; c < CLIENTS; c++) {
      Set<String> old = keys(new RandomSubset(SIZE, "greeter-client-" + c).of(before));
      Set<String> now = keys(new RandomSubset(SIZE, "greeter-client-" + c).of(after));
      now.removeAll(old);
      assertTrue(now.size() <= 1, "client " + c + " changed " + now);
      moved += now.size();
    }
    double expected = (double) CLIENTS * SIZE / (PODS + 1); // the new pod ranks in the top S for S / (N + 1) of them
    assertTrue(moved < 1.5 * expected && moved > 0.5 * expected, moved + " clients moved, about " + expected + " expected");
  }

  @Test
  void theChildSeesOnlyTheSubsetAndConnectsOnlyToIt() {
    FakeHelper helper = new FakeHelper();
    SubsettingBalancer subsetting = new SubsettingBalancer(
        new RoundRobinBalancer(helper, SlowStartConfig.OFF, 0, new Random(1)), new RandomSubset(2, "client-a"));
    EndpointSet all = EndpointSet.of(pods(6));
    subsetting.acceptEndpoints(all);
    assertEquals(2, helper.created);
    assertEquals(keys(new RandomSubset(2, "client-a").of(all.routable())), helper.subchannels.keySet());
    assertEquals(keys(subsetting.chosen()), helper.subchannels.keySet());
  }
}

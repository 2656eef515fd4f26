package lab.grpclb.balance;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import lab.grpclb.discovery.Endpoint;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * gRFC A68's subsetting algorithm as written: append the client's salt to each endpoint's address, hash each with
 * MurmurHash3 (128 bits), sort by hash, keep the first {@code size}. That is rendezvous hashing: an endpoint's rank
 * for a client does not depend on the other endpoints, so a pod joining or leaving changes at most one member of
 * each client's subset. A68 draws the salt at random when the policy starts; here it is the client's id
 * ({@code --client-id}), so a client keeps its subset across restarts and a test can name it.
 */
public record RandomSubset(int size, String salt) {

  public RandomSubset {
    if (size < 0) {
      throw new IllegalArgumentException("a subset size is 0 (off) or more, got " + size);
    }
  }

  /** The subset of {@code endpoints}, best ranked first; all of them when there are no more than {@code size}. */
  public List<Endpoint> of(List<Endpoint> endpoints) {
    if (size == 0 || endpoints.size() <= size) {
      return endpoints;
    }
    return endpoints.stream().sorted(Comparator.comparing(this::rank)).limit(size).toList();
  }

  /** The endpoint's rank for this client: the hash of its address with the salt appended. */
  Hash128 rank(Endpoint endpoint) {
    long[] hash = MurmurHash3.hash128x64((endpoint.key() + salt).getBytes(StandardCharsets.UTF_8));
    return new Hash128(hash[0], hash[1]);
  }

  /** A 128-bit MurmurHash3 as its two 64-bit halves. */
  record Hash128(long h1, long h2) implements Comparable<Hash128> {
    /** Unsigned, h1 then h2: the order A68 sorts endpoints in. */
    @Override
    public int compareTo(Hash128 other) {
      int first = Long.compareUnsigned(h1, other.h1);
      return first != 0 ? first : Long.compareUnsigned(h2, other.h2);
    }
  }
}

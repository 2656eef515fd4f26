package lab.grpclb.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The client types an experiment compares. The wire names are the reference's ({@code type=} in a query, the
 * report's {@code type}, the keys of {@code /status}); they never change, the constants' names may.
 */
public enum ClientType {
  CLIENT("Client"),
  REUSE_CONN("ClientWithReuseConn"),
  KUBE_RESOLVER("ClientWithKubeResolver"),
  /** Not in the reference: the headless-Service DNS client that gRPC users reach for first (issue 13). */
  DNS_RESOLVER("ClientWithDnsResolver");

  /** The types that balance over pod endpoints with our pickers: the ones an {@code lb=} means something for. */
  public static final Set<ClientType> BALANCING = Collections.unmodifiableSet(EnumSet.of(KUBE_RESOLVER, DNS_RESOLVER));
  /** The three the write-up compares, in its order: its tables and charts stay as it drew them. */
  public static final List<ClientType> WRITEUP = List.of(CLIENT, REUSE_CONN, KUBE_RESOLVER);

  private final String wireName;

  ClientType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** The wire name, so that logs and messages read as the user typed it. */
  @Override
  public String toString() {
    return wireName;
  }

  /**
   * The type with this wire name; anything else fails with {@code failure} of a message naming the valid ones,
   * so that a request gets its 400 and a command line its usage error.
   */
  public static <X extends RuntimeException> ClientType parse(String wireName, Function<String, X> failure) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(wireName)).findFirst().orElseThrow(() ->
        failure.apply("unknown type '" + wireName + "'; valid types: " + String.join(", ", wireNames())));
  }

  /** Every type's wire name, in the reference's order. */
  public static List<String> wireNames() {
    return wireNames(List.of(values()));
  }

  /** The wire names of these types, in their order. */
  public static List<String> wireNames(Collection<ClientType> types) {
    return types.stream().map(ClientType::wireName).toList();
  }
}

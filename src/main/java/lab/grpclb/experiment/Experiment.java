package lab.grpclb.experiment;

/**
 * One run as requested: the client type, how many calls, how many may be in flight at once, and (for the
 * per-request client) how many connections may be open at once.
 */
public record Experiment(String type, int n, int inFlightCap, Integer maxOpenConnections) {
}

package dev.interactions.core;

/**
 * Marks a message that may cross nodes of the cluster: session commands and their replies, outcomes, and frames to
 * connections. Bound to Jackson CBOR in {@code reference.conf}; Java serialization is off.
 */
public interface ClusterMessage {}

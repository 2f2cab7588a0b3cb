package dev.interactions.archfixtures.protocol;

import org.apache.pekko.actor.typed.ActorRef;

/** Breaks {@code PROTOCOL_IS_PEKKO_FREE}: a wire type that carries an actor reference. */
public record PekkoInProtocol(String id, ActorRef<String> replyTo) {}

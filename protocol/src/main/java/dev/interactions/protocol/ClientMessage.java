package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Everything a client sends over a WebSocket. The JSON {@code type} property names the variant. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = ClientMessage.Reject.class, name = "reject"),
  @JsonSubTypes.Type(value = ClientMessage.Ping.class, name = "ping")
})
public sealed interface ClientMessage {

  /** Answers interaction {@code id} with any JSON {@code value}; {@code ref} is an optional tag echoed in the reply. */
  record Answer(String id, RawJson value, String ref) implements ClientMessage {
    public Answer {
      Identifiers.require("id", id);
      if (value == null) {
        value = RawJson.NULL;
      }
    }
  }

  /** Rejects interaction {@code id}, with an optional reason. */
  record Reject(String id, String reason, String ref) implements ClientMessage {
    public Reject {
      Identifiers.require("id", id);
    }
  }

  /** Proves the client is alive; answered with {@code pong}. */
  record Ping() implements ClientMessage {}
}

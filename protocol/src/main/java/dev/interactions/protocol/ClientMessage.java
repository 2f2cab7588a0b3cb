package dev.interactions.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Everything a client sends over a WebSocket. The JSON {@code type} property names the variant. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientMessage.Answer.class, name = "answer"),
  @JsonSubTypes.Type(value = ClientMessage.Reject.class, name = "reject"),
  @JsonSubTypes.Type(value = ClientMessage.Ping.class, name = "ping"),
  @JsonSubTypes.Type(value = ClientMessage.Shown.class, name = "shown"),
  @JsonSubTypes.Type(value = ClientMessage.Extend.class, name = "extend")
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

  /** Interaction {@code id} is on this device's screen now; only the first {@code shown} of an interaction counts. */
  record Shown(String id) implements ClientMessage {
    public Shown {
      Identifiers.require("id", id);
    }
  }

  /**
   * Someone is working on an answer to {@code id}: its deadline moves to at least {@code byMs} from now, never beyond
   * the request's {@code maxTimeoutMs}. Acknowledged with {@code ack} (echoing {@code ref}).
   */
  record Extend(String id, long byMs, String ref) implements ClientMessage {
    public Extend {
      Identifiers.require("id", id);
      if (byMs <= 0) {
        throw new InvalidInputException("byMs", "must be positive");
      }
    }
  }
}

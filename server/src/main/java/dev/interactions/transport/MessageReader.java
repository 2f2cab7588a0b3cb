package dev.interactions.transport;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Reads one client WebSocket message into a {@link Connection.Command}, enforcing the size limit on streamed messages
 * too: Pekko HTTP has no limit of its own, and even small messages may arrive streamed. An oversized message is read to
 * its end (so the socket stays in step) while keeping at most the limit in memory.
 */
final class MessageReader {

  private final int maxBytes;
  private final Materializer materializer;

  MessageReader(int maxBytes, Materializer materializer) {
    this.maxBytes = maxBytes;
    this.materializer = materializer;
  }

  CompletionStage<Connection.Command> read(Message message) {
    if (!message.isText()) {
      return message
          .asBinaryMessage()
          .getStreamedData()
          .runWith(Sink.ignore(), materializer)
          .thenApply(done -> Connection.BinaryReceived.INSTANCE);
    }
    TextMessage text = message.asTextMessage();
    if (text.isStrict()) {
      return CompletableFuture.completedFuture(bounded(text.getStrictText()));
    }
    return text.getStreamedText()
        .runFold(new Accumulator(maxBytes), Accumulator::append, materializer)
        .thenApply(Accumulator::result);
  }

  private Connection.Command bounded(String text) {
    long bytes = utf8Length(text);
    return bytes > maxBytes ? new Connection.Oversized(bytes) : new Connection.Received(text, bytes);
  }

  static long utf8Length(CharSequence text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Collects a streamed message, keeping nothing past the limit; used by one stream only. */
  private static final class Accumulator {
    private final int maxBytes;
    private final StringBuilder text = new StringBuilder();
    private long bytes;

    Accumulator(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    Accumulator append(String chunk) {
      bytes += utf8Length(chunk);
      if (bytes <= maxBytes) {
        text.append(chunk);
      }
      return this;
    }

    Connection.Command result() {
      return bytes > maxBytes ? new Connection.Oversized(bytes) : new Connection.Received(text.toString(), bytes);
    }
  }
}

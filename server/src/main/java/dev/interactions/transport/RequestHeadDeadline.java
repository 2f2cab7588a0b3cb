package dev.interactions.transport;

import java.time.Duration;
import java.util.OptionalLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Closes an HTTP connection whose next request head does not arrive in time.
 *
 * <p>Pekko HTTP has no request-head timeout: its idle timeout restarts on every byte, so a client that trickles a
 * request line a byte at a time holds its connection (and a slot of {@code max-connections}) forever. This stage sits
 * between the connection and the routes, one per connection. The deadline runs whenever the connection owes us a
 * request: from the moment it opens, and from the moment the previous response has been sent completely (a streamed
 * response, such as SSE, counts as sent when its last chunk has gone). If no request head has been parsed by then, the
 * stage completes, which makes Pekko HTTP close the connection. A WebSocket upgrade ends the deadline for good: from
 * then on the connection's own liveness rule governs it.
 *
 * <p>An idle keep-alive connection is closed after the same time, which is what a trickled second request looks like
 * from here too.
 */
public final class RequestHeadDeadline
    extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {

  private static final String DEADLINE = "request-head-deadline";

  private final Duration timeout;
  private final Inlet<HttpRequest> requestsIn = Inlet.create("RequestHeadDeadline.requestsIn");
  private final Outlet<HttpRequest> requestsOut = Outlet.create("RequestHeadDeadline.requestsOut");
  private final Inlet<HttpResponse> responsesIn = Inlet.create("RequestHeadDeadline.responsesIn");
  private final Outlet<HttpResponse> responsesOut = Outlet.create("RequestHeadDeadline.responsesOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(requestsIn, requestsOut, responsesIn, responsesOut);

  private RequestHeadDeadline(Duration timeout) {
    this.timeout = timeout;
  }

  /** The handler flow of one connection: {@code routes} behind a deadline of {@code timeout} for each request head. */
  public static Flow<HttpRequest, HttpResponse, NotUsed> guard(
      Duration timeout, Flow<HttpRequest, HttpResponse, NotUsed> routes) {
    return BidiFlow.fromGraph(new RequestHeadDeadline(timeout)).join(routes);
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests handed to the routes whose responses have not been sent completely yet. */
      private int unanswered;

      private boolean upgraded;

      private final AsyncCallback<NotUsed> streamedResponseSent = createAsyncCallback(done -> responseSent());

      {
        setHandler(
            requestsIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                unanswered++;
                cancelTimer(DEADLINE);
                push(requestsOut, grab(requestsIn));
              }

              // The connection will send no more requests; the routes still owe responses to those it sent.
              @Override
              public void onUpstreamFinish() {
                cancelTimer(DEADLINE);
                complete(requestsOut);
              }

              @Override
              public void onUpstreamFailure(Throwable failure) {
                cancelTimer(DEADLINE);
                fail(requestsOut, failure);
              }
            });
        setHandler(
            requestsOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(requestsIn);
              }

              @Override
              public void onDownstreamFinish(Throwable cause) {
                cancel(requestsIn, cause);
              }
            });
        setHandler(
            responsesIn,
            new AbstractInHandler() {
              @Override
              public void onPush() {
                HttpResponse response = grab(responsesIn);
                if (response.status().equals(StatusCodes.SWITCHING_PROTOCOLS)) {
                  upgraded = true;
                  push(responsesOut, response);
                } else if (response.entity() instanceof HttpEntity.Strict) {
                  push(responsesOut, response);
                  responseSent();
                } else {
                  push(responsesOut, whenSent(response));
                }
              }
            });
        setHandler(
            responsesOut,
            new AbstractOutHandler() {
              @Override
              public void onPull() {
                pull(responsesIn);
              }
            });
      }

      @Override
      public void preStart() {
        scheduleOnce(DEADLINE, timeout);
      }

      /** The response with its entity rebuilt around a data stream that reports when it has been sent. */
      private HttpResponse whenSent(HttpResponse response) {
        ResponseEntity entity = response.entity();
        Source<ByteString, Object> data =
            entity
                .getDataBytes()
                .watchTermination(
                    (mat, done) -> {
                      done.whenComplete((ok, failure) -> streamedResponseSent.invoke(NotUsed.getInstance()));
                      return mat;
                    });
        OptionalLong length = entity.getContentLengthOption();
        return response.withEntity(
            length.isPresent()
                ? HttpEntities.create(entity.getContentType(), length.getAsLong(), data)
                : HttpEntities.createChunked(entity.getContentType(), data));
      }

      private void responseSent() {
        unanswered--;
        if (unanswered == 0 && !upgraded) {
          scheduleOnce(DEADLINE, timeout);
        }
      }

      @Override
      public void onTimer(Object key) {
        // Completing the handler flow is how a handler tells Pekko HTTP to close the connection.
        completeStage();
      }
    };
  }
}

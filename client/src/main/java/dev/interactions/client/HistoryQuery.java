package dev.interactions.client;

import dev.interactions.protocol.OutcomeCode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which page of a session's history of closed interactions to read ({@code docs/PROTOCOL.md}, "History"): all of them or
 * one outcome's, at most {@code limit} per page (the server's maximum when null), after a previous page's {@code next}
 * cursor (from the start when null).
 *
 * <pre>{@code
 * HistoryQuery query = HistoryQuery.all().withStatus(OutcomeCode.ANSWERED);
 * for (String after = null; ; ) {
 *   HttpBodies.History page = requester.history("alice", query.after(after)).join();
 *   page.interactions().forEach(...);
 *   if ((after = page.next()) == null) break;
 * }
 * }</pre>
 */
public record HistoryQuery(OutcomeCode status, Integer limit, String after) {

  /** Every outcome, pages as large as the server allows, from the start. */
  public static HistoryQuery all() {
    return new HistoryQuery(null, null, null);
  }

  /** Only the interactions that ended with {@code status}. */
  public HistoryQuery withStatus(OutcomeCode status) {
    return new HistoryQuery(status, limit, after);
  }

  /** At most {@code limit} interactions per page. */
  public HistoryQuery withLimit(int limit) {
    return new HistoryQuery(status, limit, after);
  }

  /** The page after the one whose {@code next} is {@code cursor} (null: the first page). */
  public HistoryQuery after(String cursor) {
    return new HistoryQuery(status, limit, cursor);
  }

  /** The query string, {@code ""} or {@code "?status=…&limit=…&after=…"}. */
  String queryString() {
    List<String> parameters = new ArrayList<>();
    if (status != null) {
      parameters.add("status=" + status.wireName());
    }
    if (limit != null) {
      parameters.add("limit=" + limit);
    }
    if (after != null) {
      parameters.add("after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
    }
    return parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
  }
}

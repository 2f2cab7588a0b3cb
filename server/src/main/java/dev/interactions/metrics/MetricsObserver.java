package dev.interactions.metrics;

import dev.interactions.core.Census;
import dev.interactions.core.Refusal;
import dev.interactions.core.StandardKind;
import dev.interactions.protocol.OutcomeCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import kamon.metric.Counter;
import kamon.metric.Timer;

/** Turns what the session actors report to the {@link Census} into Kamon metrics. */
final class MetricsObserver implements Census.Observer {

  /** Resolved once: a tagged instrument is a map lookup in Kamon, and these are hit on every outcome. */
  private final Map<OutcomeCode, Counter> completed = new EnumMap<>(OutcomeCode.class);

  private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
  private final Counter invalidAnswers = InteractionMetrics.INVALID_ANSWERS.withoutTags();
  /** By kind label: the standard kinds and "other" (see StandardKind.metricLabel), resolved once. */
  private final Map<String, Timer> timeToShown = new HashMap<>();
  private final Map<String, Timer> timeToAnswer = new HashMap<>();
  private final Timer outcomeTime = InteractionMetrics.OUTCOME_TIME.withoutTags();
  private final Timer journalWriteTime = InteractionMetrics.JOURNAL_WRITE_TIME.withoutTags();
  private final Timer recoveryTime = InteractionMetrics.RECOVERY_TIME.withoutTags();

  MetricsObserver() {
    for (OutcomeCode outcome : OutcomeCode.values()) {
      completed.put(outcome, InteractionMetrics.COMPLETED.withTag("outcome", outcome.wireName()));
    }
    for (String kind : kindLabels()) {
      timeToShown.put(kind, InteractionMetrics.TIME_TO_SHOWN.withTag("kind", kind));
      timeToAnswer.put(kind, InteractionMetrics.TIME_TO_ANSWER.withTag("kind", kind));
    }
    for (Refusal reason : Refusal.values()) {
      refused.put(reason, InteractionMetrics.REFUSED.withTag("reason", reason.name().toLowerCase(Locale.ROOT)));
    }
  }

  @Override
  public void interactionClosed(OutcomeCode outcome, Duration sinceRequested) {
    completed.get(outcome).increment();
    outcomeTime.record(sinceRequested);
  }

  @Override
  public void refused(Refusal reason) {
    refused.get(reason).increment();
  }

  private static List<String> kindLabels() {
    List<String> labels = new ArrayList<>();
    for (StandardKind kind : StandardKind.values()) {
      labels.add(kind.wireName());
    }
    labels.add("other");
    return labels;
  }

  @Override
  public void shown(String kind, Duration sinceRequested) {
    timeToShown.get(kind).record(sinceRequested);
  }

  @Override
  public void responded(String kind, Duration sinceRequested) {
    timeToAnswer.get(kind).record(sinceRequested);
  }

  @Override
  public void answerRefused() {
    invalidAnswers.increment();
  }

  @Override
  public void journalWritten(Duration latency) {
    journalWriteTime.record(latency);
  }

  @Override
  public void sessionRecovered(Duration duration) {
    recoveryTime.record(duration);
  }
}

package dev.interactions.client;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What a future failed with, waiting 20 s at most for it to fail. */
final class ExecutionFailure {

  private ExecutionFailure() {}

  /** The failure of {@code future}, which must be a {@code type}. */
  static <T extends Throwable> T of(CompletableFuture<?> future, Class<T> type) {
    return assertInstanceOf(type, cause(future));
  }

  /** The failure of {@code future} (a cancellation included). */
  static Throwable cause(CompletableFuture<?> future) {
    try {
      Object value = future.get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    } catch (TimeoutException e) {
      throw new AssertionError("neither completed nor failed within 20 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}

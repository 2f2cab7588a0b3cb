package dev.interactions.core;

import dev.interactions.protocol.InvalidInputException;
import dev.interactions.protocol.WhenNoDevice;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a request fits a person's time: how long a device may take to show it ({@code deliveryTimeout}, else it ends as
 * {@code undelivered}), how far devices may extend its deadline while someone works on an answer ({@code maxTimeout},
 * default its own timeout: no extension), and what it does while no device is connected ({@code whenNoDevice}, default
 * {@code orchestrator.interaction.when-no-device}).
 */
public record DeliveryTerms(
    Optional<Duration> deliveryTimeout, Optional<Duration> maxTimeout, Optional<WhenNoDevice> whenNoDevice) {

  /** No terms of its own: the defaults apply. */
  public static final DeliveryTerms DEFAULT = new DeliveryTerms(Optional.empty(), Optional.empty(), Optional.empty());

  public DeliveryTerms {
    Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
    Objects.requireNonNull(maxTimeout, "maxTimeout");
    Objects.requireNonNull(whenNoDevice, "whenNoDevice");
  }

  /**
   * Checks the terms against the request's deadline {@code timeout} and the configured limits.
   *
   * @throws InvalidInputException naming the field that is out of bounds
   */
  void validate(Duration timeout, OrchestratorSettings settings) {
    deliveryTimeout.ifPresent(
        delivery -> {
          if (delivery.compareTo(settings.minTimeout()) < 0 || delivery.compareTo(timeout) > 0) {
            throw new InvalidInputException(
                "deliveryTimeoutMs",
                "must be between " + settings.minTimeout().toMillis() + " ms and the timeout (" + timeout.toMillis() + " ms)");
          }
        });
    maxTimeout.ifPresent(
        max -> {
          if (max.compareTo(timeout) < 0 || max.compareTo(settings.maxTimeout()) > 0) {
            throw new InvalidInputException(
                "maxTimeoutMs",
                "must be between the timeout (" + timeout.toMillis() + " ms) and " + settings.maxTimeout().toMillis() + " ms");
          }
        });
  }

  /** The longest the deadline may become by extension, for a request whose deadline is {@code timeout}. */
  Duration latest(Duration timeout) {
    return maxTimeout.orElse(timeout);
  }

  /** The policy that applies. */
  WhenNoDevice whenNoDevice(OrchestratorSettings settings) {
    return whenNoDevice.orElse(settings.whenNoDevice());
  }
}

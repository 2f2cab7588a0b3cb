package dev.interactions.server;

import dev.interactions.client.Device;
import dev.interactions.client.RefusedException;
import dev.interactions.protocol.ServerMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Everything a Java client {@link Device} reports to its handlers, recorded per kind in the order reported, to wait on
 * in tests.
 */
final class DeviceReports {

  private static final long WAIT_SECONDS = 30;

  private final Map<Class<?>, BlockingQueue<Object>> reports =
      Map.of(
          ServerMessage.Interaction.class, new LinkedBlockingQueue<>(),
          ServerMessage.Closed.class, new LinkedBlockingQueue<>(),
          ServerMessage.Shown.class, new LinkedBlockingQueue<>(),
          ServerMessage.Extended.class, new LinkedBlockingQueue<>(),
          ServerMessage.Progress.class, new LinkedBlockingQueue<>(),
          RefusedException.class, new LinkedBlockingQueue<>(),
          Device.State.class, new LinkedBlockingQueue<>());

  private DeviceReports(Device device) {
    device.onInteraction(reports.get(ServerMessage.Interaction.class)::add);
    device.onClosed(reports.get(ServerMessage.Closed.class)::add);
    device.onShown(reports.get(ServerMessage.Shown.class)::add);
    device.onExtended(reports.get(ServerMessage.Extended.class)::add);
    device.onProgress(reports.get(ServerMessage.Progress.class)::add);
    device.onError(reports.get(RefusedException.class)::add);
    device.onStateChange(reports.get(Device.State.class)::add);
  }

  /** Records what {@code device} reports from now on; register before it connects to hear its replay. */
  static DeviceReports of(Device device) {
    return new DeviceReports(device);
  }

  /** Records what {@code device} reports, connects it, and waits until its session's pending interactions came. */
  static DeviceReports connected(Device device) {
    DeviceReports recorded = of(device);
    device.connect().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    return recorded;
  }

  /** The next report of {@code kind}, waiting 30 s at most for it. */
  <T> T next(Class<T> kind) {
    try {
      Object next = reports.get(kind).poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("no " + kind.getSimpleName() + " reported within " + WAIT_SECONDS + " s");
      }
      return kind.cast(next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The reports of {@code kind} not taken with {@link #next} yet. */
  <T> List<T> left(Class<T> kind) {
    return reports.get(kind).stream().map(kind::cast).toList();
  }
}

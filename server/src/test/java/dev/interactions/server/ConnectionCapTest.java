package dev.interactions.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The connection caps fitted to the file-descriptor limit (issue 10, item 1). */
class ConnectionCapTest {

  @Test
  void capsThatFitTheLimitAreKeptWithoutAWarning() {
    ConnectionCap cap = ConnectionCap.fit(25_000, 20_000, OptionalLong.of(65_536), 512);

    assertEquals(new ConnectionCap(25_000, 20_000, List.of()), cap);
  }

  @Test
  void tcpCapAboveTheLimitIsLoweredAndStreamsLeaveRoomForPlainRequests() {
    ConnectionCap cap = ConnectionCap.fit(25_000, 20_000, OptionalLong.of(20_000), 512);

    assertEquals(19_488, cap.tcp());
    assertEquals(19_488 - 19_488 / 20, cap.streams());
    assertEquals(2, cap.warnings().size());
    assertTrue(cap.warnings().get(0).contains("lowered from 25000 to 19488"), cap.warnings().get(0));
    assertTrue(cap.warnings().get(0).contains("ulimit -n"), cap.warnings().get(0));
  }

  @Test
  void streamsThatCouldTakeEveryTcpSlotAreLoweredEvenWhenTheLimitIsHigh() {
    ConnectionCap cap = ConnectionCap.fit(100, 100, OptionalLong.of(1_000_000), 512);

    assertEquals(100, cap.tcp());
    assertEquals(84, cap.streams());
    assertEquals(1, cap.warnings().size());
  }

  @Test
  void unknownLimitKeepsTheConfiguration() {
    assertEquals(new ConnectionCap(25_000, 20_000, List.of()), ConnectionCap.fit(25_000, 20_000, OptionalLong.empty(), 512));
  }

  @Test
  void limitThatLeavesAlmostNothingRefusesToStart() {
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> ConnectionCap.fit(25_000, 20_000, OptionalLong.of(256), 512));

    assertTrue(refused.getMessage().contains("raise ulimit -n"), refused.getMessage());
  }

  @Test
  void thisProcessReportsItsLimit() {
    assertTrue(ConnectionCap.processFileDescriptorLimit().orElseThrow() > 0);
  }
}

package dev.interactions.client;

/** What an interaction does while no device of its session is connected ({@code docs/PROTOCOL.md}, "Human time"). */
public enum WhenNoDevice {
  /** It stays pending until its deadline, and is shown to the first device that connects. */
  WAIT("wait"),
  /** It ends as {@code disconnected} once no device has been connected for the server's reconnect grace. */
  GRACE("grace"),
  /** It ends as {@code undelivered} at once if no device is connected when it is requested; then as {@link #GRACE}. */
  FAIL("fail");

  private final String wireName;

  WhenNoDevice(String wireName) {
    this.wireName = wireName;
  }

  /** The name on the wire. */
  public String wireName() {
    return wireName;
  }
}

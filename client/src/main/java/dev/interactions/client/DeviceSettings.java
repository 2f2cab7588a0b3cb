package dev.interactions.client;

import java.time.Duration;

/**
 * How a device connects: the WebSocket's connect timeout, the backoff between reconnects, how long an answer waits
 * for its reply, how long a close waits for the server's close frame.
 */
record DeviceSettings(Duration connectTimeout, Backoff reconnect, Duration replyTimeout, Duration closeTimeout) {}

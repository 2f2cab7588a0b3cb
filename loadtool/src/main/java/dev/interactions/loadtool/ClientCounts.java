package dev.interactions.loadtool;

/**
 * What the WebSocket clients did over the run.
 *
 * @param connects connections opened (the first ones and every replacement)
 * @param drops sockets dropped abruptly, without a close frame (fate {@code drop})
 * @param disconnects clean closes during the load (fate {@code disconnect}); the final closes are not counted
 * @param lostRaces answers or rejections the server refused because the interaction had already closed
 */
public record ClientCounts(long connects, long drops, long disconnects, long lostRaces) {}

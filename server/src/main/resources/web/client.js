/**
 * Browser client of the interaction orchestrator (protocol 1). A dependency-free ES module:
 *
 *   import { InteractionClient } from "/client.js";
 *   const client = new InteractionClient({ sessionId: "alice", token });   // token optional
 *   const off = client.on("interaction", (i) => show(i));                 // returns its own unsubscribe
 *   client.on("closed", (c) => retract(c.id));
 *   client.connect();
 *   await client.answer(id, { approved: true });                          // resolves on ack, rejects on error
 *
 * It reconnects with jittered exponential backoff, pings every half heartbeat (the server closes silent sockets), and
 * keeps state only for interactions that are pending: a closed one is forgotten at once, and after a reconnect the
 * server's replay (ended by a "synced" frame) replaces the list, so prompts that closed meanwhile are dropped too.
 * Listeners live only in the client, never on a socket, so reconnects can't pile them up.
 */

const EVENTS = ["welcome", "interaction", "synced", "closed", "ack", "error", "state"];
const REPLY_TIMEOUT_MS = 30000;

export class InteractionClient {
  #sessionId;
  #url;
  #WebSocket;
  #minBackoffMs;
  #maxBackoffMs;
  #socket = null;
  #listeners = new Map(EVENTS.map((type) => [type, new Set()]));
  #pending = new Map();
  #replaying = null;
  #replies = new Map();
  #nextRef = 0;
  #attempt = 0;
  #heartbeatMs = 15000;
  #pingTimer = null;
  #watchdogTimer = null;
  #reconnectTimer = null;
  #lastHeard = 0;
  #state = "idle";
  #closed = false;

  /**
   * @param {object} options
   * @param {string} options.sessionId the session to join
   * @param {string} [options.token] a JWT; sent as access_token since browsers can't set WebSocket headers
   * @param {string} [options.baseUrl] the server, e.g. "https://orchestrator.example"; defaults to this page's origin
   * @param {number} [options.minBackoffMs] first reconnect delay bound (default 500)
   * @param {number} [options.maxBackoffMs] largest reconnect delay bound (default 15000)
   * @param {typeof WebSocket} [options.WebSocket] a WebSocket implementation (tests, non-browser runtimes)
   */
  constructor({ sessionId, token, baseUrl, minBackoffMs = 500, maxBackoffMs = 15000, WebSocket: Ws } = {}) {
    if (!sessionId || !/^[A-Za-z0-9._:-]{1,128}$/.test(sessionId)) {
      throw new TypeError("sessionId must match [A-Za-z0-9._:-]{1,128}");
    }
    const base = new URL(baseUrl ?? globalThis.location.origin);
    base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
    base.pathname = `/v1/sessions/${encodeURIComponent(sessionId)}/ws`;
    if (token) base.searchParams.set("access_token", token);
    this.#sessionId = sessionId;
    this.#url = base.toString();
    this.#WebSocket = Ws ?? globalThis.WebSocket;
    this.#minBackoffMs = minBackoffMs;
    this.#maxBackoffMs = maxBackoffMs;
  }

  /** The session this client joins. */
  get sessionId() {
    return this.#sessionId;
  }

  /** "idle", "connecting", "open", "reconnecting" or "closed". */
  get state() {
    return this.#state;
  }

  /** The pending interactions, oldest first; closed ones are never kept. */
  pending() {
    return [...this.#pending.values()];
  }

  /** How many handlers are registered, by event type (to check nothing piles up). */
  listenerCounts() {
    return Object.fromEntries([...this.#listeners].map(([type, set]) => [type, set.size]));
  }

  /**
   * Registers a handler for one event type and returns the function that removes it.
   * Types: welcome, interaction, synced, closed, ack, error, state.
   */
  on(type, handler) {
    const set = this.#listeners.get(type);
    if (!set) throw new TypeError(`unknown event type ${type}; one of ${EVENTS.join(", ")}`);
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Opens the connection; it is kept open (reconnecting as needed) until close(). */
  connect() {
    if (this.#closed) throw new Error("this client was closed; create a new one");
    if (this.#socket || this.#reconnectTimer) return this;
    this.#open();
    return this;
  }

  /** Answers interaction `id` with any JSON value. Resolves with the ack, rejects with the error frame. */
  answer(id, value) {
    return this.#send({ type: "answer", id, value: value === undefined ? null : value });
  }

  /** Rejects interaction `id`, with an optional reason. */
  reject(id, reason) {
    return this.#send(reason === undefined ? { type: "reject", id } : { type: "reject", id, reason });
  }

  /** Closes for good: the socket, every timer, every listener, every pending reply and the pending list. */
  close() {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#stopTimers();
    const socket = this.#socket;
    this.#socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(1000, "client closed");
    }
    this.#failReplies("client closed");
    this.#pending.clear();
    this.#setState("closed");
    for (const set of this.#listeners.values()) set.clear();
  }

  #open() {
    this.#setState(this.#attempt === 0 ? "connecting" : "reconnecting");
    const socket = new this.#WebSocket(this.#url);
    this.#socket = socket;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = () => this.#lost(socket);
    socket.onerror = () => socket.close();
  }

  #receive(data) {
    this.#lastHeard = Date.now();
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    switch (message.type) {
      case "welcome":
        this.#attempt = 0;
        this.#heartbeatMs = message.heartbeatMs > 0 ? message.heartbeatMs : this.#heartbeatMs;
        this.#replaying = new Set();
        this.#startTimers();
        this.#setState("open");
        break;
      case "interaction":
        this.#pending.set(message.id, message);
        this.#replaying?.add(message.id);
        break;
      case "synced":
        // The replay is complete: anything not replayed closed while we were away.
        if (!this.#replaying) break;
        for (const id of [...this.#pending.keys()]) {
          if (!this.#replaying.has(id)) {
            this.#pending.delete(id);
            this.#emit("closed", { type: "closed", id, outcome: "gone" });
          }
        }
        this.#replaying = null;
        break;
      case "closed":
        this.#pending.delete(message.id);
        break;
      case "ack":
      case "error":
        this.#settleReply(message);
        break;
      default:
        break;
    }
    if (message.type !== "pong") this.#emit(message.type, message);
  }

  #send(message) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) {
      return Promise.reject(new Error("not connected"));
    }
    const ref = `r${++this.#nextRef}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replies.delete(ref);
        reject(new Error("no reply from the server"));
      }, REPLY_TIMEOUT_MS);
      this.#replies.set(ref, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...message, ref }));
    });
  }

  #settleReply(message) {
    const reply = message.ref ? this.#replies.get(message.ref) : undefined;
    if (!reply) return;
    this.#replies.delete(message.ref);
    clearTimeout(reply.timer);
    if (message.type === "ack") {
      reply.resolve(message);
    } else {
      const error = new Error(message.message);
      error.code = message.code;
      reply.reject(error);
    }
  }

  #failReplies(reason) {
    for (const reply of this.#replies.values()) {
      clearTimeout(reply.timer);
      reply.reject(new Error(reason));
    }
    this.#replies.clear();
  }

  #lost(socket) {
    if (socket !== this.#socket) return;
    this.#socket = null;
    this.#stopTimers();
    this.#failReplies("connection lost");
    if (this.#closed) return;
    // Full jitter: a fleet of clients that lost the server together does not come back together.
    const bound = Math.min(this.#maxBackoffMs, this.#minBackoffMs * 2 ** this.#attempt);
    this.#attempt += 1;
    this.#setState("reconnecting");
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#open();
    }, Math.random() * bound);
  }

  #startTimers() {
    this.#stopTimers();
    this.#pingTimer = setInterval(() => this.#socket?.send('{"type":"ping"}'), this.#heartbeatMs / 2);
    // The server answers every ping; silence for two heartbeats means the connection is dead even if the socket isn't.
    this.#watchdogTimer = setInterval(() => {
      if (Date.now() - this.#lastHeard > 2 * this.#heartbeatMs) this.#socket?.close();
    }, this.#heartbeatMs);
  }

  #stopTimers() {
    clearInterval(this.#pingTimer);
    clearInterval(this.#watchdogTimer);
    this.#pingTimer = this.#watchdogTimer = null;
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.#emit("state", { type: "state", state });
  }

  #emit(type, message) {
    for (const handler of [...(this.#listeners.get(type) ?? [])]) {
      try {
        handler(message);
      } catch (error) {
        console.error(`interaction client: a ${type} handler failed`, error);
      }
    }
  }
}

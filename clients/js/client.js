/**
 * Browser client of the interaction orchestrator (protocol 1). A dependency-free ES module:
 *
 *   import { InteractionClient } from "/client.js";
 *   const client = new InteractionClient({ sessionId: "alice", token });   // token optional
 *   const off = client.on("interaction", (i) => show(i));                 // returns its own unsubscribe
 *   client.on("closed", (c) => retract(c.id));
 *   client.connect();
 *   await client.answer(id, { approved: true });                          // resolves on ack, rejects on error
 *   client.shown(id);                                                     // it is on screen; fire-and-forget
 *   await client.extend(id, 60000);                                       // someone is typing: 60 s more, at least
 *
 * It reconnects with jittered exponential backoff, pings every half heartbeat (the server closes silent sockets), and
 * keeps state only for interactions that are pending: a closed one is forgotten at once, and after a reconnect the
 * server's replay (ended by a "synced" frame) replaces the list, so prompts that closed meanwhile are dropped too.
 * Listeners live only in the client, never on a socket, so reconnects can't pile them up.
 *
 * A failed answer, reject or extend rejects with an Error carrying the frame's `code`; for `invalid_answer` also its
 * `errors`, each `{pointer, message}` with a JSON Pointer into the answer ("" for the whole answer).
 *
 * Human time (docs/PROTOCOL.md, "Human time"): shown(id) reports an interaction on screen, paced and skipped once any
 * device reported it; the "shown" event says which connection did (`by`) and the pending interaction keeps it as
 * shownBy. extend(id, byMs) asks for more time; the "extended" event carries the new expiresAt, which the pending
 * interaction takes too.
 *
 *   import { renderInteraction } from "/client.js";
 *   const view = renderInteraction(interaction, {
 *     onAnswer: (value) => client.answer(interaction.id, value).catch((e) => e.errors && view.showErrors(e.errors)),
 *   });
 *   container.append(view.element);                                       // a <form> with the controls and buttons
 *   view.actions.append(myRejectButton);                                  // the row holding its buttons
 *
 * renderInteraction builds real controls for the standard kinds (docs/PROTOCOL.md, "Standard kinds"): confirm (its two
 * buttons answer {confirmed: true|false} with an optional reason), choice (radio buttons), multi_choice (checkboxes),
 * text (a field or text area) and form (one labelled control per property of the answerSchema, its constraints as
 * HTML attributes, defaults filled in). Any other kind shows its payload as JSON and a JSON field, or the form of its
 * answerSchema when it has one. Submitting the form runs the browser's own checks, then onAnswer(value) with the typed
 * JSON answer. The view also has read(button) (that answer; for confirm, `button` is the one pressed, as in a submit
 * event's `submitter`; throws an Error with `errors` like the server's when the controls hold none, e.g. too many
 * boxes checked), showErrors(errors) (each message next to the control its pointer names, the rest in a general note)
 * and clearErrors(). Payload text is only ever set as text, never parsed as HTML. An interaction this device may not
 * answer (`readOnly: true`, docs/PROTOCOL.md "Who may answer") is rendered inside a disabled fieldset with a note, and
 * shown(id) reports nothing for it.
 */

/** What a read-only prompt says above its disabled controls. */
const READ_ONLY_NOTE = "You can see this request, but it asks someone else to answer it.";
const EVENTS = ["welcome", "interaction", "synced", "closed", "shown", "extended", "progress", "ack", "error", "state"];
const REPLY_TIMEOUT_MS = 30000;
/**
 * Shown reports go out at most one per this many ms: a page handed a burst of interactions must stay well below the
 * server's message rate (50/s by default, the connection closed after repeated excess), leaving room for answers.
 */
const SHOWN_SPACING_MS = 50;

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
  /** This socket's replay is complete: what is pending is what the server has. */
  #synced = false;
  /** Ids to report shown, oldest first; one leaves every SHOWN_SPACING_MS while connected and synced. */
  #unreported = new Set();
  #reportTimer = null;
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

  /** The pending interactions, oldest first (with the latest expiresAt and shownBy); closed ones are never kept. */
  pending() {
    return [...this.#pending.values()];
  }

  /** How many handlers are registered, by event type (to check nothing piles up). */
  listenerCounts() {
    return Object.fromEntries([...this.#listeners].map(([type, set]) => [type, set.size]));
  }

  /**
   * Registers a handler for one event type and returns the function that removes it.
   * Types: welcome, interaction, synced, closed, shown, extended, progress, ack, error, state.
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

  /**
   * Reports interaction `id` on this device's screen. Fire-and-forget: the first report of any device is recorded and
   * every device gets a "shown" event; the server replies only when it fails (an "error" event, e.g. unknown_interaction
   * when it closed meanwhile). Nothing is sent for an interaction that is not pending or that a device already reported;
   * a report not yet sent when the connection drops goes out after the reconnect, if the interaction is still pending.
   */
  shown(id) {
    const interaction = this.#pending.get(id);
    // On the screen of someone who may not answer it, it has not reached a person who can (the server refuses it).
    if (!interaction || interaction.shownBy !== undefined || interaction.readOnly) return;
    this.#unreported.add(id);
    if (!this.#reportTimer) this.#reportNext();
  }

  /**
   * Asks for more time on interaction `id`: its deadline becomes at least `byMs` from now, never beyond its
   * extendableUntil. Resolves with the ack; the new deadline comes as an "extended" event (none when it did not move).
   */
  extend(id, byMs) {
    return this.#send({ type: "extend", id, byMs });
  }

  /** Closes for good: the socket, every timer, every listener, every pending reply and the pending list. */
  close() {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#stopTimers();
    this.#stopReporting();
    this.#unreported.clear();
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
    this.#synced = false;
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
        if (message.shownBy !== undefined) this.#unreported.delete(message.id);
        break;
      case "synced":
        // The replay is complete: anything not replayed closed while we were away.
        if (!this.#replaying) break;
        for (const id of [...this.#pending.keys()]) {
          if (!this.#replaying.has(id)) {
            this.#forget(id);
            this.#emit("closed", { type: "closed", id, outcome: "gone" });
          }
        }
        this.#replaying = null;
        this.#synced = true;
        this.#reportNext();
        break;
      case "closed":
        this.#forget(message.id);
        break;
      case "shown":
        this.#unreported.delete(message.id);
        this.#update(message.id, { shownBy: message.by });
        break;
      case "extended":
        this.#update(message.id, { expiresAt: message.expiresAt });
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

  #forget(id) {
    this.#pending.delete(id);
    this.#unreported.delete(id);
  }

  /** Replaces a pending interaction by a copy with `changes`, so the frames handlers were given never change. */
  #update(id, changes) {
    const interaction = this.#pending.get(id);
    if (interaction) this.#pending.set(id, { ...interaction, ...changes });
  }

  /** Sends the oldest unreported shown, then waits its spacing; stops when none is left or the socket is not synced. */
  #reportNext() {
    this.#reportTimer = null;
    const [id] = this.#unreported;
    // Until the replay ends an id may yet turn out closed, or shown elsewhere: the "synced" frame resumes the reports.
    if (id === undefined || !this.#synced || this.#socket?.readyState !== 1) return;
    this.#unreported.delete(id);
    this.#socket.send(JSON.stringify({ type: "shown", id }));
    this.#reportTimer = setTimeout(() => this.#reportNext(), SHOWN_SPACING_MS);
  }

  #stopReporting() {
    clearTimeout(this.#reportTimer);
    this.#reportTimer = null;
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
      // invalid_answer names each problem by a JSON Pointer into the answer, for showErrors() to put by its field.
      if (message.errors) error.errors = message.errors;
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
    this.#stopReporting();
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

// --- rendering an interaction as controls -----------------------------------------------------------------------------

/**
 * Builds the controls answering `interaction` (an "interaction" frame); see the header for what each kind gets.
 *
 * @param {object} interaction the frame: kind, payload, and answerSchema when it has one
 * @param {object} [options]
 * @param {(value: any) => void} [options.onAnswer] called with the typed answer when the form is submitted and fits
 * @param {Document} [options.document] where to create elements (defaults to this page's)
 * @returns {{element: HTMLFormElement, actions: HTMLElement, read: (button?: HTMLButtonElement) => any,
 *            showErrors: (errors: {pointer: string, message: string}[]) => void, clearErrors: () => void}}
 */
export function renderInteraction(interaction, { onAnswer, document = globalThis.document } = {}) {
  const controls = new Controls(document);
  const prompt = promptFor(interaction)(interaction, controls);
  const actions = controls.element("div", { class: "actions" }, ...prompt.buttons);
  const body = [...prompt.nodes, controls.general, actions];
  // A device that may see it but not answer it (docs/PROTOCOL.md, "Who may answer"): a disabled fieldset disables every
  // control in it, buttons a page appends to `actions` later included, and the form cannot be submitted.
  const content = interaction.readOnly
    ? [controls.element("fieldset", { class: "read-only", disabled: true }, controls.element("p", { class: "read-only-note" }, READ_ONLY_NOTE), ...body)]
    : body;
  const form = controls.element("form", { class: "interaction", "data-kind": interaction.kind }, ...content);
  // The prompt's only listener, on its own element: a page dropping the form drops it too.
  form.onsubmit = (event) => {
    event.preventDefault();
    if (interaction.readOnly) return;
    controls.clearErrors();
    let value;
    try {
      value = prompt.read(event.submitter);
    } catch (error) {
      if (!error.errors) throw error;
      controls.showErrors(error.errors);
      return;
    }
    onAnswer?.(value);
  };
  return {
    element: form,
    actions,
    read: (button) => prompt.read(button),
    showErrors: (errors) => controls.showErrors(errors),
    clearErrors: () => controls.clearErrors(),
  };
}

/** What read() throws when the controls hold no answer that fits: shaped like the server's invalid_answer error. */
class UnfitAnswer extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join("; "));
    this.code = "invalid_answer";
    this.errors = errors;
  }
}

/** How each standard kind is asked; each returns the nodes to show, its submit buttons, and read(button). */
const STANDARD_PROMPTS = {
  confirm: confirmPrompt,
  choice: choicePrompt,
  multi_choice: multiChoicePrompt,
  text: textPrompt,
  form: formPrompt,
};

/** `<input type>` for each string format of the answer-schema subset. */
const INPUT_TYPES = { email: "email", uri: "url", date: "date", "date-time": "datetime-local" };

function promptFor(interaction) {
  const standard = Object.hasOwn(STANDARD_PROMPTS, interaction.kind) ? STANDARD_PROMPTS[interaction.kind] : null;
  return standard && fitsItsKind(interaction) ? standard : ownKindPrompt;
}

/**
 * The server checks a standard kind's payload when it is requested, but not those recorded (durable store) before it
 * did: such a payload is shown as JSON rather than half-rendered.
 */
function fitsItsKind({ kind, payload, answerSchema }) {
  if (!isObject(payload) || typeof payload.message !== "string") return false;
  if (kind === "choice" || kind === "multi_choice") {
    return Array.isArray(payload.options) && payload.options.length > 0 && payload.options.every(isObject);
  }
  if (kind === "form") return hasProperties(answerSchema);
  return true;
}

function confirmPrompt({ payload }, controls) {
  // A text area, not an input: Enter in a one-line field would submit with the first button, confirming.
  const reason = controls.element("textarea", { rows: 2 });
  return {
    nodes: [controls.element("p", { class: "message" }, payload.message), controls.field("/reason", { label: "Reason (optional)", control: reason })],
    buttons: [
      controls.button(payload.confirmLabel ?? "Confirm", { variant: "confirm", value: "true" }),
      controls.button(payload.rejectLabel ?? "Decline", { variant: "decline", value: "false" }),
    ],
    read(button) {
      const confirmed = { true: true, false: false }[button?.value];
      if (confirmed === undefined) throw new TypeError("a confirm is answered by one of its two buttons: pass the one pressed");
      return reason.value === "" ? { confirmed } : { confirmed, reason: reason.value };
    },
  };
}

function choicePrompt({ payload }, controls) {
  const { options } = payload;
  const group = controls.group("/value", {
    type: "radio",
    label: payload.message,
    labelClass: "message",
    titles: options.map((option) => option.title),
    required: true,
  });
  return {
    nodes: [group.element],
    buttons: [controls.button("Answer")],
    read() {
      const chosen = group.inputs.findIndex((input) => input.checked);
      if (chosen < 0) throw new UnfitAnswer([{ pointer: "/value", message: "choose one" }]);
      // The option's own value, not the radio's text: a number or a boolean keeps its JSON type.
      return { value: options[chosen].value };
    },
  };
}

function multiChoicePrompt({ payload }, controls) {
  const { options } = payload;
  const group = controls.group("/values", {
    type: "checkbox",
    label: payload.message,
    labelClass: "message",
    titles: options.map((option) => option.title),
  });
  return {
    nodes: [group.element],
    buttons: [controls.button("Answer")],
    read: () => ({ values: checkedValues(group, options.map((option) => option.value), payload.minItems, payload.maxItems) }),
  };
}

function textPrompt({ payload }, controls) {
  const control = controls.element(payload.multiline === true ? "textarea" : "input", {
    placeholder: payload.placeholder,
    maxlength: payload.maxLength,
  });
  return {
    nodes: [controls.field("/text", { label: payload.message, labelClass: "message", control })],
    buttons: [controls.button("Answer")],
    read: () => ({ text: control.value }),
  };
}

function formPrompt({ payload, answerSchema }, controls) {
  const fields = schemaFields(answerSchema, controls);
  return {
    nodes: [controls.element("p", { class: "message" }, payload.message), ...fields.nodes],
    buttons: [controls.button("Answer")],
    read: fields.read,
  };
}

/** A kind of the requester's own: its payload as JSON, answered through its answerSchema's form or as free JSON. */
function ownKindPrompt({ payload, answerSchema }, controls) {
  const answer = hasProperties(answerSchema) ? schemaFields(answerSchema, controls) : jsonField(controls);
  return {
    nodes: [controls.element("pre", { class: "payload" }, JSON.stringify(payload ?? null, null, 2)), ...answer.nodes],
    buttons: [controls.button("Answer")],
    read: answer.read,
  };
}

function jsonField(controls) {
  const control = controls.element("textarea", { class: "json", spellcheck: "false" }, "true");
  return {
    nodes: [controls.field("", { label: "Answer (JSON)", control })],
    read() {
      try {
        return JSON.parse(control.value);
      } catch {
        throw new UnfitAnswer([{ pointer: "", message: "must be valid JSON" }]);
      }
    },
  };
}

/** One labelled control per property of a flat answer schema; read() gives the object, empty optional fields left out. */
function schemaFields(schema, controls) {
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const fields = Object.entries(schema.properties).map(([name, property]) => ({
    name,
    ...propertyField(name, isObject(property) ? property : {}, required.has(name), controls),
  }));
  const heading = [schema.title, schema.description]
    .filter((text) => typeof text === "string")
    .map((text) => controls.element("p", { class: "hint" }, text));
  return {
    nodes: [...heading, ...fields.map((field) => field.element)],
    read() {
      const answer = {};
      const problems = [];
      for (const field of fields) {
        try {
          const value = field.read();
          if (value !== undefined) answer[field.name] = value;
        } catch (error) {
          if (!error.errors) throw error;
          problems.push(...error.errors);
        }
      }
      if (problems.length > 0) throw new UnfitAnswer(problems);
      return answer;
    },
  };
}

function propertyField(name, property, required, controls) {
  const pointer = pointerTo(name);
  const label = typeof property.title === "string" ? property.title : name;
  const hint = property.description;
  switch (property.type) {
    case "boolean": {
      const control = controls.element("input", { type: "checkbox", checked: property.default === true });
      // A box always says yes or no, so it is always answered; `required` on it would mean "must be ticked".
      return { element: controls.field(pointer, { label, hint, control }), read: () => control.checked };
    }
    case "array": {
      const items = isObject(property.items) ? property.items : {};
      const choices = titledChoices(items.enum, items.anyOf ?? items.oneOf);
      const defaults = Array.isArray(property.default) ? property.default : [];
      const group = controls.group(pointer, {
        type: "checkbox",
        label,
        hint,
        required,
        titles: choices.map((choice) => choice.title),
        checked: choices.map((choice) => defaults.includes(choice.const)),
      });
      return {
        element: group.element,
        read() {
          if (!required && !group.inputs.some((input) => input.checked)) return undefined;
          return checkedValues(group, choices.map((choice) => choice.const), property.minItems, property.maxItems);
        },
      };
    }
    case "number":
    case "integer": {
      const whole = property.type === "integer";
      // An integer steps from its minimum: a fractional one would make the browser refuse every whole number.
      const bound = (value, round) => (whole && typeof value === "number" ? round(value) : value);
      const control = controls.element("input", {
        type: "number",
        step: whole ? 1 : "any",
        min: bound(property.minimum, Math.ceil),
        max: bound(property.maximum, Math.floor),
        required,
        value: property.default,
      });
      return {
        element: controls.field(pointer, { label, hint, control, required }),
        read: () => (control.value === "" ? undefined : Number(control.value)),
      };
    }
    default:
      return stringField(pointer, property, required, { label, hint }, controls);
  }
}

function stringField(pointer, property, required, { label, hint }, controls) {
  const choices = titledChoices(property.enum, property.oneOf);
  if (choices.length > 0) {
    const control = controls.element(
      "select",
      { required },
      controls.element("option", { value: "" }, "—"),
      ...choices.map((choice) => controls.element("option", { value: choice.const, selected: choice.const === property.default }, choice.title)),
    );
    return {
      element: controls.field(pointer, { label, hint, control, required }),
      read: () => (control.value === "" ? undefined : control.value),
    };
  }
  const dateTime = property.format === "date-time";
  const control = controls.element("input", {
    type: INPUT_TYPES[property.format] ?? "text",
    required,
    minlength: property.minLength,
    maxlength: property.maxLength,
    // JSON Schema's pattern may match anywhere in the value; HTML's must match all of it.
    pattern: typeof property.pattern === "string" ? `.*(?:${property.pattern}).*` : undefined,
    // Seconds allowed, or a default with seconds would fail the browser's step check.
    step: dateTime ? 1 : undefined,
    value: dateTime && typeof property.default === "string" ? localDateTime(property.default) : property.default,
  });
  return {
    element: controls.field(pointer, { label, hint, control, required }),
    read() {
      if (control.value === "") return undefined;
      // datetime-local holds a local time without an offset; RFC 3339 needs one.
      return dateTime ? new Date(control.value).toISOString() : control.value;
    },
  };
}

/** A schema's choices as {const, title}: an enum's values are their own titles. */
function titledChoices(values, titledConsts) {
  if (Array.isArray(values)) return values.map((value) => ({ const: value, title: value }));
  return Array.isArray(titledConsts) ? titledConsts.filter(isObject) : [];
}

/** The values of the checked boxes, in their order, refused (at the group's pointer) outside [min, max] of them. */
function checkedValues(group, values, min = 0, max = Infinity) {
  const chosen = values.filter((_, i) => group.inputs[i].checked);
  if (chosen.length < min) throw new UnfitAnswer([{ pointer: group.pointer, message: `choose at least ${min}` }]);
  if (chosen.length > max) throw new UnfitAnswer([{ pointer: group.pointer, message: `choose at most ${max}` }]);
  return chosen;
}

/** An RFC 3339 date-time as the local "YYYY-MM-DDTHH:MM:SS" a datetime-local input holds; undefined if unreadable. */
function localDateTime(text) {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  const two = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A property's JSON Pointer (RFC 6901): how the server's errors name it. */
function pointerTo(name) {
  return `/${name.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasProperties(schema) {
  return isObject(schema) && isObject(schema.properties);
}

/** Only ever ids unique in the page, so that labels and descriptions find their controls whatever else it shows. */
let lastControlId = 0;

/** Creates a prompt's elements and keeps, for each field, where its errors go. */
class Controls {
  #document;
  /** A field's pointer ("/age", or "" for a field holding the whole answer) → its error slot and controls. */
  #fields = new Map();
  /** Where errors no field claims go. */
  general;

  constructor(document) {
    this.#document = document;
    this.general = this.element("div", { class: "answer-errors", role: "alert" });
  }

  /**
   * An element with attributes (true: present; false, null, undefined: absent) and children; strings become text
   * nodes, never HTML.
   */
  element(tag, attributes = {}, ...children) {
    const element = this.#document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value === true ? "" : String(value));
    }
    element.append(...children.filter((child) => child !== undefined && child !== null));
    return element;
  }

  /** A submit button (class "answer", and `variant` if given); `value` is what read(button) sees of it. */
  button(label, { variant, value } = {}) {
    return this.element("button", { type: "submit", class: variant ? `answer ${variant}` : "answer", value }, label);
  }

  /** A labelled control for the answer's `pointer`, with its hint and a place for its errors. */
  field(pointer, { label, labelClass, hint, control, required }) {
    control.id = this.#newId();
    const described = this.#described(pointer, hint, [control]);
    control.setAttribute("aria-describedby", described.ids);
    return this.element(
      "div",
      { class: required ? "field required" : "field", "data-pointer": pointer },
      this.element("label", { for: control.id, class: labelClass }, label),
      control,
      ...described.nodes,
    );
  }

  /** Radio buttons or checkboxes, one per title, each labelled by it, in a fieldset for the answer's `pointer`. */
  group(pointer, { type, label, labelClass, hint, titles, checked = [], required }) {
    // Checkboxes: `required` stays off the boxes (it would mean "each must be ticked"); it only marks the group.
    const inputs = titles.map((_, i) =>
      this.element("input", { type, name: pointer, value: i, checked: checked[i] === true, required: required && type === "radio" }),
    );
    const described = this.#described(pointer, hint, inputs);
    const element = this.element(
      "fieldset",
      { class: required ? "field choices required" : "field choices", "data-pointer": pointer, "aria-describedby": described.ids },
      this.element("legend", { class: labelClass }, label),
      ...inputs.map((input, i) => this.element("label", { class: "option" }, input, titles[i])),
      ...described.nodes,
    );
    return { element, inputs, pointer };
  }

  showErrors(errors) {
    for (const { pointer, message } of errors) {
      // A flat answer: the pointer's first token names the field ("/values/1" is the "/values" boxes).
      const field = this.#fields.get(/^\/[^/]*/.exec(String(pointer))?.[0] ?? "");
      (field?.slot ?? this.general).append(this.element("div", {}, message));
      for (const control of field?.controls ?? []) control.setAttribute("aria-invalid", "true");
    }
  }

  clearErrors() {
    this.general.replaceChildren();
    for (const { slot, controls } of this.#fields.values()) {
      slot.replaceChildren();
      for (const control of controls) control.removeAttribute("aria-invalid");
    }
  }

  /** A field's hint and error slot, registered under its pointer; `ids` for aria-describedby. */
  #described(pointer, hint, controls) {
    const slot = this.element("div", { class: "field-error", id: this.#newId(), role: "alert" });
    this.#fields.set(pointer, { slot, controls });
    if (typeof hint !== "string") return { nodes: [slot], ids: slot.id };
    const note = this.element("small", { class: "hint", id: this.#newId() }, hint);
    return { nodes: [note, slot], ids: `${note.id} ${slot.id}` };
  }

  #newId() {
    lastControlId += 1;
    return `interaction-control-${lastControlId}`;
  }
}

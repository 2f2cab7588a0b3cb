/**
 * Types of the browser client of the interaction orchestrator (`client.js`, protocol 1), written by hand next to it:
 * every export, option, event and frame, checked by `tsc --noEmit` against `test/usage.ts`. The wire contract itself is
 * docs/PROTOCOL.md of the orchestrator; sections below name the headings they follow.
 *
 * Everything that crosses the wire is a `type` alias of JSON data, so it can be passed wherever a {@link JsonValue} is
 * expected (TypeScript gives an `interface` no index signature, so an interface of your own is no JsonValue: declare
 * answers as `type` aliases, or use the ones below).
 */

// --- JSON and protocol values ----------------------------------------------------------------------------------------

/** Any JSON value: payloads, answers and every frame are JSON. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * How an interaction ended (docs/PROTOCOL.md, "Conventions"). Every interaction ends exactly once, with one of these.
 */
export type Outcome = "answered" | "rejected" | "cancelled" | "expired" | "disconnected" | "shutdown" | "undelivered";

/**
 * The `code` of an `error` frame (docs/PROTOCOL.md, "error"). `forbidden`: this device may not answer (nor report
 * shown, nor extend) an interaction whose request names who may answer it (see {@link InteractionFrame.readOnly}).
 */
export type ErrorCode =
  | "bad_message"
  | "unknown_interaction"
  | "already_closed"
  | "too_large"
  | "forbidden"
  | "rate_limited"
  | "token_expired"
  | "invalid_answer";

/** One way an answer does not fit its answer schema. */
export type AnswerProblem = {
  /** A JSON Pointer (RFC 6901) into the answer, e.g. "/age"; "" for the answer as a whole. */
  readonly pointer: string;
  readonly message: string;
};

// --- server frames (docs/PROTOCOL.md, "Server → client frames") ------------------------------------------------------
// Every frame has a `type`; optional fields are absent, never null, when they do not apply. Timestamps are ISO-8601
// instants in UTC with up to nanosecond precision: parse them as instants, e.g. with `new Date(frame.expiresAt)`.

/** First frame of every connection, again after each reconnect (with a new `connectionId`). */
export type WelcomeFrame = {
  readonly type: "welcome";
  readonly protocol: 1;
  /** The session joined. */
  readonly sessionId: string;
  /** This connection's id (`websocket-<uuid>`): the `answeredBy` of its answers, the `by` of its `shown` reports. */
  readonly connectionId: string;
  /** The client must send something at least this often; the client pings every half of it. */
  readonly heartbeatMs: number;
};

/** An interaction waiting for an answer: sent when it is requested, and replayed on every (re)connect. */
export type InteractionFrame = {
  readonly type: "interaction";
  /** The interaction id (a UUID), to answer, reject, report shown or extend with. */
  readonly id: string;
  /** What to show, chosen by the requester: one of {@link StandardKind} or a kind of its own (1 to 64 characters). */
  readonly kind: string;
  /** As the requester sent it; null when it sent none. A standard kind's payload is {@link StandardPayloads}[kind]. */
  readonly payload: JsonValue;
  readonly requestedAt: string;
  /** When it expires unless answered; {@link InteractionClient.pending} carries the latest, after any extension. */
  readonly expiresAt: string;
  /** Present when the request carried one (always for kind `form`): every answer must fit it. */
  readonly answerSchema?: AnswerSchema;
  /** Present while {@link InteractionClient.extend} can still move the deadline: the latest it can become. */
  readonly extendableUntil?: string;
  /**
   * Present once a device reported it shown: that device's connection id. Set on the frames of a replay, and on
   * {@link InteractionClient.pending}'s copy when a `shown` frame arrives.
   */
  readonly shownBy?: string;
  /** When it was first shown: present on the frames of a replay once it was (a `shown` frame does not carry it). */
  readonly shownAt?: string;
  /**
   * Present (and `true`) when this device may see it but not answer it: its request names other answerers, or refuses
   * its requester's own answer. {@link renderInteraction} renders it with its controls disabled, and
   * {@link InteractionClient.shown} reports nothing for it.
   */
  readonly readOnly?: true;
};

/** The replay after a (re)connect is complete: what is pending is now exactly what was replayed. */
export type SyncedFrame = {
  readonly type: "synced";
  /** How many `interaction` frames were replayed. */
  readonly pending: number;
};

/** An interaction ended (whoever ended it, this client included); retract its prompt. */
export type ClosedFrame = {
  readonly type: "closed";
  readonly id: string;
  readonly outcome: Outcome;
};

/** An `answer`, `reject` or `extend` of this client was accepted. */
export type AckFrame = {
  readonly type: "ack";
  readonly id: string;
  /** Echoes the message's `ref`; the client tags every message it expects a reply to, so its acks always have one. */
  readonly ref?: string;
};

/** The answer does not fit the interaction's answer schema; the interaction stays pending, nobody else is told. */
export type InvalidAnswerErrorFrame = {
  readonly type: "error";
  readonly code: "invalid_answer";
  readonly message: string;
  readonly id: string;
  readonly ref?: string;
  /** Each problem (at most 20), for {@link InteractionView.showErrors}. */
  readonly errors: readonly AnswerProblem[];
};

/**
 * Any other error: something this client sent was refused, or the connection is about to close (`rate_limited` when the
 * session cannot take it, `token_expired`).
 */
export type PlainErrorFrame = {
  readonly type: "error";
  readonly code: Exclude<ErrorCode, "invalid_answer">;
  /** Human-readable; for `bad_message` it starts with the offending field and a colon. */
  readonly message: string;
  /** The interaction concerned, when known. */
  readonly id?: string;
  /** The refused message's `ref`, when it had one (a `shown` report has none). */
  readonly ref?: string;
  readonly errors?: never;
};

/** An `error` frame; narrow on `code` to reach the `errors` of an `invalid_answer`. */
export type ErrorFrame = InvalidAnswerErrorFrame | PlainErrorFrame;

/** A device reported the interaction on its screen first; sent to every connection, once per interaction. */
export type ShownFrame = {
  readonly type: "shown";
  readonly id: string;
  /** The connection id of the device that showed it. */
  readonly by: string;
};

/** The interaction's deadline moved out (a device sent `extend`); sent to every connection. */
export type ExtendedFrame = {
  readonly type: "extended";
  readonly id: string;
  readonly expiresAt: string;
};

/** An interaction that needs several approvals (quorum) got one more, short of its quorum; sent to every connection. */
export type ProgressFrame = {
  readonly type: "progress";
  readonly id: string;
  /** Distinct answerers so far. */
  readonly approvals: number;
  /** How many it needs; the last one closes it as `answered`. */
  readonly required: number;
};

/** The reply to a ping; the client handles it and emits no event for it. */
export type PongFrame = {
  readonly type: "pong";
};

/**
 * Every frame the server sends, discriminated by `type`. Within protocol 1 the server may add frame types and fields:
 * the client ignores types it does not know.
 */
export type ServerFrame =
  | WelcomeFrame
  | InteractionFrame
  | SyncedFrame
  | ClosedFrame
  | AckFrame
  | ErrorFrame
  | ShownFrame
  | ExtendedFrame
  | ProgressFrame
  | PongFrame;

// --- client events ---------------------------------------------------------------------------------------------------

/** Where the client's connection is. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** The client's connection changed state; not a frame of the server. */
export type StateEvent = {
  readonly type: "state";
  readonly state: ConnectionState;
};

/**
 * A `closed` frame, or one the client makes itself with outcome `gone`: an interaction it held as pending was not in
 * the replay after a reconnect, so it closed while the client was away (how, the requester knows).
 */
export type ClosedEvent =
  | ClosedFrame
  | {
      readonly type: "closed";
      readonly id: string;
      readonly outcome: "gone";
    };

/**
 * What {@link InteractionClient.on} handlers receive, by event type: each is the frame as it arrived (never changed
 * afterwards), except `state` and the `closed` events the client makes after a replay.
 */
export interface InteractionClientEvents {
  /** On every (re)connect, before the replay. */
  welcome: WelcomeFrame;
  /** A new interaction, and each pending one again in the replay after a (re)connect. */
  interaction: InteractionFrame;
  /** After each replay; interactions pending before it and not replayed were just emitted as `closed` with `gone`. */
  synced: SyncedFrame;
  closed: ClosedEvent;
  shown: ShownFrame;
  extended: ExtendedFrame;
  progress: ProgressFrame;
  /** Every ack, including those that resolve a promise of answer, reject or extend. */
  ack: AckFrame;
  /** Every error frame, including those that reject a promise of answer, reject or extend. */
  error: ErrorFrame;
  state: StateEvent;
}

/** The event types {@link InteractionClient.on} accepts. */
export type InteractionClientEventType = keyof InteractionClientEvents;

/**
 * How a failed answer, reject or extend rejects its promise. From an `error` frame it has the frame's `code` (and for
 * `invalid_answer` its `errors`, ready for {@link InteractionView.showErrors}); when the client fails by itself it has
 * no code and its message says why: "not connected", "connection lost", "client closed", or "no reply from the server"
 * after 30 s (also when the server refused the message without naming it: an `error` event with `rate_limited`,
 * `too_large` or `bad_message` and no `ref`). {@link InteractionView.read} throws one with code `invalid_answer` and
 * `errors` too.
 */
export interface ReplyError extends Error {
  code?: ErrorCode;
  errors?: readonly AnswerProblem[];
}

// --- the client ------------------------------------------------------------------------------------------------------

export interface InteractionClientOptions {
  /** The session to join; must match `[A-Za-z0-9._:-]{1,128}` (the constructor throws a TypeError otherwise). */
  sessionId: string;
  /** A JWT, sent as `access_token` (browsers cannot set WebSocket headers); none when absent or empty. */
  token?: string | undefined;
  /** The server, e.g. "https://orchestrator.example"; defaults to this page's origin (`location.origin`). */
  baseUrl?: string | URL | undefined;
  /** The first reconnect delay's bound in ms (default 500); each delay is random below its bound (full jitter). */
  minBackoffMs?: number | undefined;
  /** The largest reconnect delay bound in ms (default 15000); the bound doubles per failed attempt up to this. */
  maxBackoffMs?: number | undefined;
  /** A WebSocket implementation (tests, non-browser runtimes); defaults to `globalThis.WebSocket`. */
  WebSocket?: (new (url: string) => WebSocket) | undefined;
}

/**
 * A device of one session: keeps a WebSocket open (reconnecting with jittered exponential backoff, pinging every half
 * heartbeat), tells its handlers what the server sends, and answers interactions. It keeps state only for pending
 * interactions, and listeners only in itself, never on a socket.
 */
export class InteractionClient {
  #private;

  /** @throws TypeError when `sessionId` does not match `[A-Za-z0-9._:-]{1,128}` */
  constructor(options: InteractionClientOptions);

  /** The session this client joins. */
  get sessionId(): string;

  /** Where the connection is; every change is also a `state` event. */
  get state(): ConnectionState;

  /** The pending interactions, oldest first, with their latest `expiresAt` and `shownBy`; closed ones are not kept. */
  pending(): InteractionFrame[];

  /** How many handlers are registered, by event type (to check nothing piles up). */
  listenerCounts(): { [T in InteractionClientEventType]: number };

  /**
   * Registers a handler for one event type; returns the function that removes it (true if it was still registered).
   * A handler that throws is logged to the console and does not stop the others.
   */
  on<T extends InteractionClientEventType>(
    type: T,
    handler: (event: InteractionClientEvents[T]) => void,
  ): () => boolean;

  /**
   * Opens the connection; it is kept open, reconnecting as needed, until {@link close}. Does nothing while already open
   * or reconnecting.
   * @throws Error once the client was closed: create a new one
   */
  connect(): this;

  /**
   * Answers interaction `id` with any JSON value (null when absent). Resolves with the ack; rejects with a
   * {@link ReplyError}.
   */
  answer(id: string, value?: JsonValue | undefined): Promise<AckFrame>;

  /** Rejects interaction `id`, with an optional reason shown to the requester. Settles like {@link answer}. */
  reject(id: string, reason?: string | undefined): Promise<AckFrame>;

  /**
   * Reports interaction `id` on this device's screen. Fire-and-forget: the first report of any device is recorded and
   * every device gets a `shown` event; a failure comes only as an `error` event (e.g. `unknown_interaction` when it
   * closed meanwhile). Nothing is sent for an interaction that is not pending or that a device already reported;
   * reports leave at most one per 50 ms, and one not yet sent when the connection drops goes out after the reconnect.
   */
  shown(id: string): void;

  /**
   * Asks for more time on interaction `id`: its deadline becomes at least `byMs` (a positive whole number) from now,
   * never beyond its `extendableUntil`. Resolves with the ack; the new deadline comes as an `extended` event (none when
   * it did not move). Rejects like {@link answer}.
   */
  extend(id: string, byMs: number): Promise<AckFrame>;

  /**
   * Closes for good: the socket, every timer, every listener (after a last `state` event, `closed`), every pending
   * reply (rejected with "client closed") and the pending list.
   */
  close(): void;
}

// --- standard kinds and answer schemas (docs/PROTOCOL.md, "Standard kinds and answer schemas") -----------------------
// The server checks a standard kind's payload when it is requested. Other payload fields are allowed and passed on:
// add them with an intersection, e.g. `ConfirmPayload & { icon: string }`.

/** A value a choice option stands for, and what its answer carries. */
export type ChoiceValue = string | number | boolean;

export type ChoiceOption = {
  readonly value: ChoiceValue;
  readonly title: string;
};

/** Kind `confirm`: a yes or no. */
export type ConfirmPayload = {
  readonly message: string;
  /** The confirm button's label (default "Confirm"). */
  readonly confirmLabel?: string;
  /** The decline button's label (default "Decline"); declining is an answer, not a reject. */
  readonly rejectLabel?: string;
};

/** Kind `choice`: one of the options. */
export type ChoicePayload = {
  readonly message: string;
  /** At least one; values distinct. */
  readonly options: readonly ChoiceOption[];
};

/** Kind `multi_choice`: some of the options, between `minItems` and `maxItems` of them. */
export type MultiChoicePayload = ChoicePayload & {
  readonly minItems?: number;
  readonly maxItems?: number;
};

/** Kind `text`: free text. */
export type TextPayload = {
  readonly message: string;
  readonly placeholder?: string;
  /** A text area rather than a one-line field. */
  readonly multiline?: boolean;
  /** At least 1. */
  readonly maxLength?: number;
};

/** Kind `form`: the fields of the interaction's {@link AnswerSchema}, which it always has. */
export type FormPayload = {
  readonly message: string;
};

export type ConfirmAnswer = {
  readonly confirmed: boolean;
  readonly reason?: string;
};

export type ChoiceAnswer = {
  /** One of the options' values, keeping its JSON type. */
  readonly value: ChoiceValue;
};

export type MultiChoiceAnswer = {
  /** Distinct option values, in the options' order when rendered by {@link renderInteraction}. */
  readonly values: readonly ChoiceValue[];
};

export type TextAnswer = {
  /** At most the payload's `maxLength` characters. */
  readonly text: string;
};

/**
 * The object the answer schema describes: a string (a date-time in RFC 3339), a number, a boolean, or an array of
 * strings per property; optional properties left empty are absent.
 */
export type FormAnswer = {
  readonly [property: string]: string | number | boolean | readonly string[];
};

/** Each standard kind's payload. */
export interface StandardPayloads {
  confirm: ConfirmPayload;
  choice: ChoicePayload;
  multi_choice: MultiChoicePayload;
  text: TextPayload;
  form: FormPayload;
}

/** Each standard kind's answer. */
export interface StandardAnswers {
  confirm: ConfirmAnswer;
  choice: ChoiceAnswer;
  multi_choice: MultiChoiceAnswer;
  text: TextAnswer;
  form: FormAnswer;
}

/** The kinds every client renders as real controls; any other kind is the requester's own, free JSON both ways. */
export type StandardKind = keyof StandardPayloads;

/** A choice in a schema: `const` is the value, `title` what to show. */
export type TitledConst = {
  readonly const: string;
  readonly title: string;
};

/** `title` and `description` any property may have. */
export type PropertyAnnotations = {
  readonly title?: string;
  readonly description?: string;
};

/** A `string` property: free text, a format, or a single choice (`enum` or `oneOf`, not both). */
export type StringProperty = PropertyAnnotations & {
  readonly type: "string";
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A regular expression that must match somewhere in the value (at most 512 characters). */
  readonly pattern?: string;
  readonly format?: "email" | "uri" | "date" | "date-time";
  readonly default?: string;
} & (
    | { readonly enum?: readonly string[]; readonly oneOf?: never }
    | { readonly oneOf?: readonly TitledConst[]; readonly enum?: never }
  );

/** A `number` or `integer` property. */
export type NumberProperty = PropertyAnnotations & {
  readonly type: "number" | "integer";
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: number;
};

/** A `boolean` property: always answered, `false` when its box is not ticked. */
export type BooleanProperty = PropertyAnnotations & {
  readonly type: "boolean";
  readonly default?: boolean;
};

/** The choices of an `array` property: exactly one of `enum`, `oneOf` or `anyOf`. */
export type ArrayItems =
  | { readonly type?: "string"; readonly enum: readonly string[]; readonly oneOf?: never; readonly anyOf?: never }
  | { readonly type?: "string"; readonly oneOf: readonly TitledConst[]; readonly enum?: never; readonly anyOf?: never }
  | { readonly type?: "string"; readonly anyOf: readonly TitledConst[]; readonly enum?: never; readonly oneOf?: never };

/** An `array` property: a multi-select of strings. */
export type ArrayProperty = PropertyAnnotations & {
  readonly type: "array";
  readonly items: ArrayItems;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly default?: readonly string[];
};

export type AnswerSchemaProperty = StringProperty | NumberProperty | BooleanProperty | ArrayProperty;

/**
 * What every answer must fit: the flat subset of JSON Schema (draft 2020-12) that MCP elicitation's `requestedSchema`
 * allows. The server refuses anything else when the interaction is requested.
 */
export type AnswerSchema = {
  readonly type: "object";
  readonly properties: { readonly [name: string]: AnswerSchemaProperty };
  /** Names of its properties. */
  readonly required?: readonly string[];
  readonly title?: string;
  readonly description?: string;
  /** Ignored: the server never loads anything a schema names. */
  readonly $schema?: string;
};

// --- rendering an interaction as controls ----------------------------------------------------------------------------

/** What {@link renderInteraction} reads: an `interaction` frame, or an entry of a session state's `pending`. */
export type RenderableInteraction = Pick<InteractionFrame, "kind" | "answerSchema"> & {
  readonly payload?: JsonValue;
};

export interface RenderOptions {
  /**
   * Called with the typed answer when the form is submitted, the browser's own checks passed and the controls hold an
   * answer that fits; otherwise the problems are shown next to their controls and it is not called.
   */
  onAnswer?: ((value: JsonValue) => void) | undefined;
  /** Where to create the elements; defaults to this page's document. */
  document?: Document | undefined;
}

/** The controls of one interaction; every listener lives on its own elements, so dropping `element` drops them too. */
export interface InteractionView {
  /** A `<form>` with the controls and their submit buttons (Answer; Confirm and Decline for `confirm`). */
  readonly element: HTMLFormElement;
  /** The row holding the submit buttons, to add buttons of your own (e.g. a reject button of `type="button"`). */
  readonly actions: HTMLDivElement;
  /**
   * The answer the controls hold now; for `confirm`, `button` is the button pressed (as a submit event's `submitter`).
   * @throws ReplyError with code `invalid_answer` and `errors` when they hold none that fits (JSON that does not parse,
   *   too many boxes ticked)
   * @throws TypeError for a `confirm` without one of its two buttons
   */
  read(button?: HTMLElement | null): JsonValue;
  /** Shows each problem next to the control its pointer names (`/values/1`: the values boxes), the rest in a note. */
  showErrors(errors: readonly AnswerProblem[]): void;
  /** Removes every shown problem. */
  clearErrors(): void;
}

/**
 * Builds the controls answering `interaction`: real controls for the standard kinds (confirm: two buttons and an
 * optional reason; choice: radio buttons; multi_choice: checkboxes; text: a field or text area; form: one labelled
 * control per property of its answer schema, constraints as HTML attributes, defaults filled in); any other kind shows
 * its payload as JSON, answered through its answer schema's form or a JSON field. A standard kind whose payload does
 * not fit it is shown like any other kind. Payload text is only ever set as text, never parsed as HTML.
 */
export function renderInteraction(interaction: RenderableInteraction, options?: RenderOptions): InteractionView;

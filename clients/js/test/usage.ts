// The client used the way the demo page and the README use it, type-checked (never run) by `tsc --noEmit -p .`: it
// must compile, and each line under `@ts-expect-error` must not (tsc reports an unused expectation), so wrong usage
// is proved to be refused. Imported by the package's own name, which checks package.json's `exports` and `types`.
import { InteractionClient, renderInteraction } from "@interactions/client";
import type {
  AckFrame,
  AnswerSchema,
  ChoicePayload,
  ClosedEvent,
  ConfirmAnswer,
  ConfirmPayload,
  ConnectionState,
  InteractionFrame,
  InteractionView,
  MultiChoiceAnswer,
  ReplyError,
  ServerFrame,
  StandardAnswers,
  StandardKind,
  TextPayload,
} from "@interactions/client";

declare const token: string;
declare function retract(id: string, outcome: ClosedEvent["outcome"]): void;

// --- connecting, as the demo page does -------------------------------------------------------------------------------

const client = new InteractionClient({ sessionId: "alice", token: token.trim() || undefined });
const ownConnections = new Set<string>();
const cards = new Map<string, InteractionView>();
const unsubscribe: Array<() => unknown> = [
  client.on("state", ({ state }) => setState(state)),
  client.on("welcome", ({ connectionId, heartbeatMs }) => ownConnections.add(connectionId) && heartbeatMs > 0),
  client.on("interaction", showCard),
  client.on("shown", ({ id, by }) => ownConnections.has(by) && cards.has(id)),
  client.on("extended", ({ id, expiresAt }) => new Date(expiresAt).getTime() - Date.now() > 0 && cards.has(id)),
  client.on("progress", ({ approvals, required }) => `${approvals} of ${required}`),
  client.on("synced", ({ pending }) => pending === client.pending().length),
  client.on("closed", ({ id, outcome }) => retract(id, outcome)),
  client.on("error", (frame) => (frame.code === "invalid_answer" ? frame.errors.map((e) => e.pointer) : frame.message)),
];
client.connect().on("ack", ({ id, ref }) => [id, ref ?? ""]);
const state: ConnectionState = client.state;
const sessionId: string = client.sessionId;
const handlers: number = client.listenerCounts().interaction + client.listenerCounts().state;

function disconnect(): void {
  unsubscribe.forEach((off) => off());
  client.close();
}

function setState(state: ConnectionState): string {
  const texts: Record<ConnectionState, string> = {
    idle: "not connected",
    connecting: "connecting…",
    open: "connected",
    reconnecting: "reconnecting…",
    closed: "disconnected",
  };
  return texts[state];
}

function showCard(interaction: InteractionFrame): void {
  // A replay after a reconnect sends it again, maybe shown meanwhile.
  if (cards.has(interaction.id)) return;
  const view = renderInteraction(interaction, {
    // invalid_answer: the server's messages go next to the fields they name.
    onAnswer: (value) =>
      client.answer(interaction.id, value).catch((error: ReplyError) => error.errors && view.showErrors(error.errors)),
  });
  const reject = document.createElement("button");
  reject.type = "button";
  reject.onclick = () => client.reject(interaction.id, "rejected from the demo page");
  view.actions.append(reject);
  view.element.addEventListener("input", () => {
    if (interaction.extendableUntil !== undefined) void client.extend(interaction.id, 60000).catch(() => undefined);
  });
  document.body.append(view.element);
  cards.set(interaction.id, view);
  client.shown(interaction.id);
}

// --- answering, reading and showing errors ---------------------------------------------------------------------------

async function answerFirstPending(): Promise<AckFrame | undefined> {
  const [first] = client.pending();
  if (!first) return undefined;
  try {
    return await client.answer(first.id, { approved: true });
  } catch (e) {
    const error = e as ReplyError;
    if (error.code === "already_closed" || error.code === undefined) return undefined;
    throw error;
  }
}

function readConfirm(view: InteractionView, event: SubmitEvent): ConfirmAnswer | undefined {
  view.clearErrors();
  const value = view.read(event.submitter);
  return typeof value === "object" && value !== null && "confirmed" in value ? (value as ConfirmAnswer) : undefined;
}

// --- standard kinds: the payload and answer a kind implies -----------------------------------------------------------

function answerStandard(interaction: InteractionFrame): Promise<AckFrame> | undefined {
  switch (interaction.kind) {
    case "confirm": {
      const payload = interaction.payload as ConfirmPayload;
      const answer: ConfirmAnswer = { confirmed: payload.confirmLabel !== "Never", reason: payload.message };
      return client.answer(interaction.id, answer);
    }
    case "choice": {
      const { options } = interaction.payload as ChoicePayload;
      const first = options[0];
      if (!first) return undefined;
      return client.answer(interaction.id, { value: first.value } satisfies StandardAnswers["choice"]);
    }
    case "multi_choice": {
      const { options } = interaction.payload as ChoicePayload;
      const answer: MultiChoiceAnswer = { values: options.map((option) => option.value) };
      return client.answer(interaction.id, answer);
    }
    case "text": {
      const { maxLength = 100 } = interaction.payload as TextPayload;
      return client.answer(interaction.id, { text: "ok".slice(0, maxLength) } satisfies StandardAnswers["text"]);
    }
    default:
      return undefined;
  }
}

const standardKinds: StandardKind[] = ["confirm", "choice", "multi_choice", "text", "form"];

const deploySchema: AnswerSchema = {
  type: "object",
  title: "Deploy",
  properties: {
    reason: { type: "string", title: "Why", minLength: 3, maxLength: 200, pattern: "^[^<>]*$" },
    contact: { type: "string", format: "email" },
    replicas: { type: "integer", minimum: 1, maximum: 10, default: 2 },
    canary: { type: "boolean", default: true },
    region: { type: "string", enum: ["eu", "us"] },
    size: { type: "string", oneOf: [{ const: "s", title: "Small" }, { const: "l", title: "Large" }] },
    notify: { type: "array", minItems: 1, items: { anyOf: [{ const: "mail", title: "Mail" }] } },
  },
  required: ["reason", "replicas"],
};
const formView: InteractionView = renderInteraction(
  { kind: "form", payload: { message: "How should it roll out?" }, answerSchema: deploySchema },
  { document },
);

// --- frames read by hand (an event stream), narrowed on `type` -------------------------------------------------------

function describe(frame: ServerFrame): string {
  switch (frame.type) {
    case "welcome":
      return `${frame.connectionId} joined ${frame.sessionId} (protocol ${frame.protocol})`;
    case "interaction":
      return `${frame.kind} until ${frame.expiresAt}${frame.answerSchema ? ", with a schema" : ""}`;
    case "synced":
      return `${frame.pending} replayed`;
    case "closed":
      return `${frame.id} ${frame.outcome}`;
    case "ack":
      return `${frame.id} accepted`;
    case "error":
      return frame.code === "invalid_answer" ? `${frame.errors.length} problems` : `${frame.code}: ${frame.message}`;
    case "shown":
      return `${frame.id} seen by ${frame.by}`;
    case "extended":
      return `${frame.id} until ${frame.expiresAt}`;
    case "progress":
      return `${frame.approvals}/${frame.required}`;
    case "pong":
      return "pong";
    default: {
      const unknown: never = frame;
      return unknown;
    }
  }
}

const stream = new EventSource(`/v1/sessions/${encodeURIComponent(sessionId)}/events`);
stream.addEventListener("interaction", (event) => describe(JSON.parse(event.data) as ServerFrame));

// --- wrong usage that must not compile -------------------------------------------------------------------------------

// @ts-expect-error sessionId is required
new InteractionClient({ token: "t" });
// @ts-expect-error an option that does not exist
new InteractionClient({ sessionId: "alice", reconnect: true });
// @ts-expect-error no such event type
client.on("opened", () => undefined);
// @ts-expect-error a shown event has `by`, not `connectionId`
client.on("shown", ({ connectionId }) => connectionId);
// @ts-expect-error byMs is a number of milliseconds
void client.extend("id", "60s");
// @ts-expect-error a reason is a string
void client.reject("id", 42);
// @ts-expect-error a function is no JSON answer
void client.answer("id", () => true);
// @ts-expect-error errors exist only on an invalid_answer error: narrow on code first
client.on("error", (frame) => frame.errors.length);
// @ts-expect-error outcomes are a closed set ("gone" comes from the client after a replay)
client.on("closed", ({ outcome }) => outcome === "answred");
// @ts-expect-error frames handlers get are never changed
client.on("interaction", (interaction) => (interaction.expiresAt = "2030-01-01T00:00:00Z"));
// @ts-expect-error the state is one of five
const notAState: ConnectionState = "connected";
// @ts-expect-error a confirm answer's `confirmed` is a boolean
const badConfirm: ConfirmAnswer = { confirmed: "yes" };
// @ts-expect-error renderInteraction needs the kind
renderInteraction({ payload: null });
// @ts-expect-error an answer schema's properties are flat: no nested objects
const nested: AnswerSchema = { type: "object", properties: { address: { type: "object" } } };

export {
  answerFirstPending,
  answerStandard,
  badConfirm,
  disconnect,
  formView,
  handlers,
  nested,
  notAState,
  readConfirm,
  standardKinds,
  state,
  unsubscribe,
};

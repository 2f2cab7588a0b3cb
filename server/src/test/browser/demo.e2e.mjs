// End-to-end tests of the demo page (/) and the browser client (/client.js) in real headless Chromium, against a
// running server. Run by BrowserEndToEndTest; by hand:
//
//   node demo.e2e.mjs --url=http://127.0.0.1:8080 [--scenarios=twoPages,standardKinds,humanTime,leakCheck,reconnect] [--interactions=2000]
//        [--in-flight=80] [--screenshot=../../../target/browser/two-pages.png] [--chromium=/usr/bin/chromium]
//
// Prints progress on stderr and one JSON line with the results on stdout; exits 1 when a scenario failed, 2 on bad
// arguments. --in-flight must stay within the server's orchestrator.session.max-pending-interactions (default 100).
//
//   twoPages   two browsers on one session see an interaction; one answers; the other retracts it; the requester's
//              long poll reads the answer and the answering connection.
//   standardKinds  one interaction of each standard kind, and one of a kind of the requester's own, answered through
//              the page's controls (buttons, radios, checkboxes, text fields, the form generated from the answer
//              schema); the requester reads back exactly the typed JSON expected. The form is first answered with an
//              address the browser takes and the server refuses: its message shows next to that field, the
//              interaction stays pending, and the corrected answer is taken.
//   humanTime  a page that shows an interaction reports it shown: it outlives its delivery deadline, the requester reads
//              who showed it, and the pages say "seen here" / "seen on another device"; typing in a card extends its
//              deadline (one extend for a burst of keystrokes), the requester reads the new one and every page counts
//              down to it; an interaction of a session no page shows ends undelivered.
//   leakCheck  thousands of interactions created and closed leave no card, no pending state, no client handler, no
//              DOM node and no event listener behind (Memory.getDOMCounters and DOMDebugger.getEventListeners, after GC).
//   reconnect  the page's connection is cut (a TCP proxy in this script drops it and refuses new ones); meanwhile X is
//              requested and Y cancelled; once back, the page shows X and drops Y on the "synced" frame.
//              Chromium's own offline emulation (CDP Network.emulateNetworkConditions) is no use here: it stalls an open
//              WebSocket's frames but never closes it, so the client would not reconnect until its watchdog fires.

import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCENARIOS = { twoPages, standardKinds, humanTime, leakCheck, reconnect, authenticated };
/** What runs by default: everything that needs no tokens. */
const DEFAULT_SCENARIOS = "twoPages,standardKinds,humanTime,leakCheck,reconnect";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** index.html removes a closed card 1.4 s after it shows the outcome. */
const CARD_REMOVAL_MS = 1400;

const options = parseOptions(process.argv.slice(2));
const api = requester(options.url);
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const started = performance.now();
const report = { ok: false, url: options.url, browser: null, scenarios: {}, durationMs: 0 };
let browser;
try {
  browser = await chromium.launch({ executablePath: options.chromium, headless: true, args: CHROMIUM_ARGS });
  report.browser = browser.version();
  for (const name of options.scenarios) {
    const t0 = performance.now();
    log(`${name}: start`);
    try {
      report.scenarios[name] = { ok: true, ...(await SCENARIOS[name]()) };
    } catch (error) {
      report.scenarios[name] = { ok: false, error: error.message };
      console.error(`[e2e] FAILED ${name}: ${error.message}`);
    }
    report.scenarios[name].durationMs = Math.round(performance.now() - t0);
    log(`${name}: ${report.scenarios[name].ok ? "passed" : "FAILED"} in ${report.scenarios[name].durationMs} ms`);
  }
  report.ok = Object.values(report.scenarios).every((s) => s.ok);
} catch (error) {
  report.error = error.message;
  console.error(`[e2e] FAILED to run: ${error.message}`);
} finally {
  await browser?.close().catch(() => {});
}
report.durationMs = Math.round(performance.now() - started);
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exitCode = report.ok ? 0 : 1;

// --- scenarios -------------------------------------------------------------------------------------------------------

/** Two browsers (separate contexts, like two devices) on one session; the first answers, the second retracts. */
async function twoPages() {
  const session = sessionId("two-pages");
  const contexts = [await newContext(), await newContext()];
  try {
    const openedAt = performance.now();
    const [first, second] = [await openDemo(contexts[0], session), await openDemo(contexts[1], session)];
    const pagesReadyMs = performance.now() - openedAt;
    await Promise.all([first, second].map((p) => p.page.evaluate(recordCards)));

    const requestedAt = performance.now();
    const id = await api.create(session, "tool-approval", { tool: "git push", branch: "main" }, 120_000);
    await Promise.all([first, second].map((p) => p.page.waitForSelector(card(id), { timeout: 10_000 })));
    const shownMs = performance.now() - requestedAt;
    mkdirSync(path.dirname(options.screenshot), { recursive: true });
    await first.page.screenshot({ path: options.screenshot });

    const answeredAt = performance.now();
    const outcome = api.read(session, id, 10_000); // a long poll already waiting when the answer comes
    await first.page.click(`${card(id)} button.answer`);
    await Promise.all([first, second].map((p) => waitUntil(p.page, cardRemoved, id, 10_000, `card ${id} to be removed`)));
    const retractedMs = performance.now() - answeredAt;
    const read = await outcome;

    check(read.status === 200, `GET …?waitMs=10000 answered ${read.status}: ${JSON.stringify(read.body)}`);
    check(read.body.status === "answered", `the requester read status ${read.body.status}, expected answered`);
    check(read.body.value === true, `the requester read value ${JSON.stringify(read.body.value)}, expected true`);
    const firstConnection = first.socket.welcomes[0]?.connectionId;
    const secondConnection = second.socket.welcomes[0]?.connectionId;
    check(
      typeof read.body.answeredBy === "string" && read.body.answeredBy === firstConnection,
      `answeredBy is ${read.body.answeredBy}, expected page 1's connection ${firstConnection}`,
    );
    const [firstCards, secondCards] = await Promise.all([first, second].map((p) => p.page.evaluate(() => window.__cards)));
    check(
      sameList(secondCards.badges[id], ["pending", "answered"]),
      `page 2's badge went ${JSON.stringify(secondCards.badges[id])}, expected pending then answered`,
    );
    check(
      sameList(firstCards.badges[id], ["pending", "answered"]),
      `page 1's badge went ${JSON.stringify(firstCards.badges[id])}, expected pending then answered`,
    );
    const notes = firstCards.notes[id] ?? [];
    check(notes.includes("sent"), `page 1's card noted ${JSON.stringify(notes)}, expected "sent" (the ack)`);
    for (const [name, p] of [["page 1", first], ["page 2", second]]) {
      const state = await clientState(p.page);
      check(state.cards === 0 && state.pending === 0, `${name} still holds ${JSON.stringify(state)}`);
      p.errors.check(name);
    }
    return {
      interactionId: id,
      answeredBy: read.body.answeredBy,
      otherConnection: secondConnection,
      pagesReadyMs: Math.round(pagesReadyMs),
      shownOnBothMs: Math.round(shownMs),
      clickToRemovedOnBothMs: Math.round(retractedMs),
      screenshot: options.screenshot,
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

/**
 * One interaction of each standard kind, and one of a kind of the requester's own, each answered through its controls
 * in the page; the requester reads back exactly the typed JSON expected (see standardPrompts).
 */
async function standardKinds() {
  const session = sessionId("kinds");
  // East of UTC, so a date-time typed in local time must come back converted: 09:30 in Berlin in December is 08:30Z.
  const context = await newContext({ timezoneId: "Europe/Berlin" });
  try {
    const demo = await openDemo(context, session);
    const asked = [];
    for (const prompt of standardPrompts()) {
      asked.push({ ...prompt, id: await api.create(session, prompt.kind, prompt.payload, 300_000, { answerSchema: prompt.answerSchema }) });
    }
    for (const { id } of asked) await demo.page.waitForSelector(card(id), { timeout: 10_000 });
    const screenshot = path.join(path.dirname(options.screenshot), "standard-kinds.png");
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await demo.page.screenshot({ path: screenshot, fullPage: true });

    const answered = [];
    for (const prompt of asked) {
      const details = await prompt.answer(demo.page.locator(card(prompt.id)), { demo, session, id: prompt.id });
      const read = await api.read(session, prompt.id, 10_000);
      check(read.status === 200 && read.body.status === "answered", `${prompt.name}: the requester read ${JSON.stringify(read.body)}`);
      check(
        isDeepStrictEqual(read.body.value, prompt.expected),
        `${prompt.name}: stored ${JSON.stringify(read.body.value)}, expected ${JSON.stringify(prompt.expected)}`,
      );
      // Frames arrive in order: once the accepted answer is seen, every earlier answer to this prompt is too.
      const sent = () => demo.socket.answers.get(prompt.id) ?? [];
      await until(() => isDeepStrictEqual(sent().at(-1), prompt.expected), 10_000, () => `${prompt.name}: the page's answer frame`);
      const sends = prompt.sends ?? 1;
      check(sent().length === sends, `${prompt.name}: the page sent ${JSON.stringify(sent())}, expected ${sends} answer(s)`);
      answered.push({ name: prompt.name, kind: prompt.kind, expected: prompt.expected, stored: read.body.value, answersSent: sent().length, ...details });
    }
    await waitUntil(demo.page, () => document.querySelectorAll("article.card").length === 0, undefined, CARD_REMOVAL_MS + 30_000, "every card to leave");
    demo.errors.check("the page");
    return { answered, screenshot };
  } finally {
    await context.close();
  }
}

/**
 * What standardKinds asks: each prompt's request, how a person answers it in the page (`answer`, given the card), the
 * value the requester must read back (`expected`), and how many answers the page sends (`sends`, 1 unless refused).
 * A function, not a constant: the scenarios run while this module is still being evaluated.
 */
function standardPrompts() {
  // An address the browser's email field takes and the server refuses: "invalid" is no real top-level domain.
  const refusedEmail = "ann@example.invalid";
  return [
    {
      name: "confirm",
      kind: "confirm",
      payload: { message: "Deploy <b>v2.3</b> to production?", confirmLabel: "Ship it" },
      expected: { confirmed: true },
      async answer(prompt) {
        const message = await prompt.locator(".message").textContent();
        check(message === "Deploy <b>v2.3</b> to production?", `the message shows as ${JSON.stringify(message)}`);
        check((await prompt.locator("b").count()) === 0, "the payload's markup was parsed as HTML");
        await prompt.getByRole("button", { name: "Ship it", exact: true }).click();
        return {};
      },
    },
    {
      name: "confirm, declined with a reason",
      kind: "confirm",
      payload: { message: "Drop the staging database?" },
      expected: { confirmed: false, reason: "not before the backup" },
      async answer(prompt) {
        const buttons = await prompt.locator("button.answer").allTextContents();
        check(sameList(buttons, ["Confirm", "Decline"]), `the confirm buttons read ${JSON.stringify(buttons)}, expected the defaults`);
        await prompt.getByLabel("Reason (optional)", { exact: true }).fill("not before the backup");
        await prompt.getByRole("button", { name: "Decline", exact: true }).click();
        return {};
      },
    },
    {
      name: "choice",
      kind: "choice",
      payload: {
        message: "How many replicas?",
        options: [{ value: "auto", title: "Let the cluster decide" }, { value: 2, title: "Two" }, { value: false, title: "None" }],
      },
      expected: { value: 2 },
      async answer(prompt) {
        await prompt.getByLabel("Two", { exact: true }).check();
        await answerButton(prompt).click();
        return {};
      },
    },
    {
      name: "multi_choice",
      kind: "multi_choice",
      payload: {
        message: "Notify whom?",
        options: [{ value: "mail", title: "Mail" }, { value: "sms", title: "SMS" }, { value: 7, title: "Pager 7" }],
        minItems: 1,
        maxItems: 2,
      },
      expected: { values: ["sms", 7] },
      async answer(prompt) {
        for (const title of ["Mail", "SMS", "Pager 7"]) await prompt.getByLabel(title, { exact: true }).check();
        await answerButton(prompt).click();
        // Three is over maxItems: the page says so next to the boxes and sends nothing (sends stays 1).
        const refusal = prompt.locator('[data-pointer="/values"] .field-error');
        await refusal.getByText("choose at most 2", { exact: true }).waitFor({ timeout: 10_000 });
        await prompt.getByLabel("Mail", { exact: true }).uncheck();
        await answerButton(prompt).click();
        return { refusedByThePage: "choose at most 2" };
      },
    },
    {
      name: "text",
      kind: "text",
      payload: { message: "What changed?", placeholder: "release notes", multiline: true, maxLength: 200 },
      expected: { text: "Faster start-up.\nFewer restarts." },
      async answer(prompt) {
        const field = prompt.getByLabel("What changed?", { exact: true });
        const shape = await field.evaluate((e) => ({ tag: e.tagName, placeholder: e.placeholder, maxLength: e.maxLength }));
        check(sameJson(shape, { tag: "TEXTAREA", placeholder: "release notes", maxLength: 200 }), `the text field is ${JSON.stringify(shape)}`);
        await field.fill("Faster start-up.\nFewer restarts.");
        await answerButton(prompt).click();
        return {};
      },
    },
    {
      name: "form",
      kind: "form",
      payload: { message: "How should it roll out?" },
      answerSchema: {
        type: "object",
        title: "Deploy",
        properties: {
          reason: { type: "string", title: "Why", minLength: 3, maxLength: 200, pattern: "^[^<>]*$" },
          contact: { type: "string", title: "Contact", format: "email" },
          replicas: { type: "integer", title: "Replicas", minimum: 1, maximum: 10, default: 2 },
          share: { type: "number", title: "Traffic share", minimum: 0, maximum: 1 },
          canary: { type: "boolean", title: "Canary first", default: true },
          region: { type: "string", title: "Region", enum: ["eu", "us"] },
          size: { type: "string", title: "Size", oneOf: [{ const: "s", title: "Small" }, { const: "l", title: "Large" }] },
          notify: {
            type: "array",
            title: "Notify",
            minItems: 1,
            maxItems: 2,
            items: { anyOf: [{ const: "mail", title: "Mail" }, { const: "sms", title: "SMS" }] },
          },
          start: { type: "string", title: "Start", format: "date-time" },
          freeze: { type: "string", title: "Freeze on", format: "date" },
          runbook: { type: "string", title: "Runbook", format: "uri" },
          ticket: { type: "string", title: "Ticket" },
        },
        required: ["reason", "contact", "replicas", "notify"],
      },
      // Typed JSON: numbers as numbers, a boolean, an array, the local date-time in RFC 3339; the empty ticket left out.
      expected: {
        reason: "Hotfix for login",
        contact: "ann@example.com",
        replicas: 3,
        share: 0.25,
        canary: false,
        region: "us",
        size: "l",
        notify: ["mail", "sms"],
        start: "2026-12-01T08:30:00.000Z",
        freeze: "2026-12-24",
        runbook: "https://example.com/runbooks/7",
      },
      sends: 2,
      async answer(prompt, { demo, session, id }) {
        const controls = await prompt.evaluate(describeControls);
        // The schema's constraints as HTML attributes, defaults filled in.
        const expectedControls = {
          // HTML matches a pattern against the whole value, JSON Schema anywhere in it: the page widens it to keep its meaning.
          "/reason": { tag: "INPUT", type: "text", required: true, minlength: "3", maxlength: "200", pattern: ".*(?:^[^<>]*$).*" },
          "/contact": { tag: "INPUT", type: "email", required: true },
          "/replicas": { tag: "INPUT", type: "number", required: true, min: "1", max: "10", step: "1", value: "2" },
          "/share": { tag: "INPUT", type: "number", required: false, min: "0", max: "1", step: "any" },
          "/canary": { tag: "INPUT", type: "checkbox", checked: true },
          "/region": { tag: "SELECT", options: "—,eu,us" },
          "/size": { tag: "SELECT", options: "—,Small,Large" },
          "/notify": { tag: "INPUT", type: "checkbox", options: "Mail,SMS" },
          "/start": { tag: "INPUT", type: "datetime-local" },
          "/freeze": { tag: "INPUT", type: "date" },
          "/runbook": { tag: "INPUT", type: "url" },
        };
        for (const [pointer, expected] of Object.entries(expectedControls)) {
          const actual = controls[pointer] ?? {};
          check(Object.entries(expected).every(([key, value]) => actual[key] === value), `${pointer} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
        }
        const field = (label) => prompt.getByLabel(label, { exact: true });
        await field("Why").fill("Hotfix for login");
        await field("Contact").fill(refusedEmail);
        await field("Replicas").fill("3");
        await field("Traffic share").fill("0.25");
        await field("Canary first").uncheck();
        await field("Region").selectOption("us");
        await field("Size").selectOption({ label: "Large" });
        await field("Mail").check();
        await field("SMS").check();
        await field("Start").fill("2026-12-01T09:30");
        await field("Freeze on").fill("2026-12-24");
        await field("Runbook").fill("https://example.com/runbooks/7");
        await answerButton(prompt).click();

        await until(() => demo.socket.errors.some((e) => e.id === id), 10_000, () => `the server to refuse ${refusedEmail}`);
        const refusal = demo.socket.errors.find((e) => e.id === id);
        check(refusal.code === "invalid_answer", `the server answered ${JSON.stringify(refusal)}, expected invalid_answer`);
        const serverMessages = (refusal.errors ?? []).map((e) => e.message);
        check(
          serverMessages.length > 0 && refusal.errors.every((e) => e.pointer === "/contact"),
          `the server refused ${JSON.stringify(refusal.errors)}, expected only /contact`,
        );
        await waitUntil(
          demo.page,
          (id) => document.querySelector(`article.card[data-id="${id}"] [data-pointer="/contact"] .field-error`)?.childElementCount > 0,
          id,
          10_000,
          "the server's message next to the contact field",
        );
        const shownNextTo = await prompt.evaluate(shownErrors);
        check(sameJson(shownNextTo, { "/contact": serverMessages }), `the page shows ${JSON.stringify(shownNextTo)}, expected the server's ${JSON.stringify(serverMessages)} by /contact only`);
        check((await field("Contact").getAttribute("aria-invalid")) === "true", "the contact field is not marked invalid");
        const meanwhile = await api.read(session, id, 0);
        check(meanwhile.body.status === "pending", `after the refusal the interaction is ${JSON.stringify(meanwhile.body)}, expected pending`);
        check(await answerButton(prompt).isEnabled(), "the card's Answer button stayed disabled after the refusal");

        await field("Contact").fill("ann@example.com");
        await answerButton(prompt).click();
        return {
          controls,
          refusal: { sent: refusedEmail, serverErrors: refusal.errors, shownNextTo, statusAfterRefusal: meanwhile.body.status },
        };
      },
    },
    {
      name: "a kind of the requester's own",
      kind: "deploy-approval",
      payload: { tool: "kubectl", args: ["rollout", "restart"] },
      expected: { approved: true, after: "18:00" },
      async answer(prompt) {
        const shown = JSON.parse(await prompt.locator("pre.payload").textContent());
        check(sameJson(shown, { tool: "kubectl", args: ["rollout", "restart"] }), `the payload shows as ${JSON.stringify(shown)}`);
        const json = prompt.getByLabel("Answer (JSON)", { exact: true });
        await json.fill("{approved: yes}");
        await answerButton(prompt).click();
        await prompt.locator('[data-pointer=""] .field-error').getByText("must be valid JSON", { exact: true }).waitFor({ timeout: 10_000 });
        await json.fill('{"approved": true, "after": "18:00"}');
        await answerButton(prompt).click();
        return { refusedByThePage: "must be valid JSON" };
      },
    },
  ];
}

function answerButton(prompt) {
  return prompt.getByRole("button", { name: "Answer", exact: true });
}

/** In the page: each field of a card (by its data-pointer) as its first control's tag, attributes and choices. */
function describeControls(card) {
  const described = {};
  for (const field of card.querySelectorAll("[data-pointer]")) {
    const control = field.querySelector("input, select, textarea");
    const attribute = (name) => control.getAttribute(name) ?? undefined;
    const choices = control.tagName === "SELECT" ? [...control.options].map((o) => o.text) : [...field.querySelectorAll("label.option")].map((l) => l.textContent);
    described[field.dataset.pointer] = {
      tag: control.tagName,
      type: attribute("type"),
      required: control.required,
      checked: control.checked,
      min: attribute("min"),
      max: attribute("max"),
      step: attribute("step"),
      minlength: attribute("minlength"),
      maxlength: attribute("maxlength"),
      pattern: attribute("pattern"),
      value: control.value,
      options: choices.length > 0 ? choices.join(",") : undefined,
    };
  }
  return described;
}

/** In the page: the error messages a card shows, by the pointer of the field they stand next to ("general" if none). */
function shownErrors(card) {
  const shown = {};
  for (const slot of card.querySelectorAll(".field-error, .answer-errors")) {
    if (slot.childElementCount === 0) continue;
    shown[slot.closest("[data-pointer]")?.dataset.pointer ?? "general"] = [...slot.children].map((message) => message.textContent);
  }
  return shown;
}

/**
 * Human time in the page (docs/PROTOCOL.md, "Human time"): (a) a shown interaction outlives its delivery deadline and
 * the pages say where it was seen, (b) typing extends the deadline on the server and on every page, (c) an interaction
 * no page shows ends undelivered.
 */
async function humanTime() {
  const session = sessionId("human-time");
  const contexts = [await newContext(), await newContext()];
  try {
    const first = await openDemo(contexts[0], session);
    const firstConnection = first.socket.welcomes[0].connectionId;

    // (a) Only page 1 is open: it reports the card it shows. Page 2 opens later and is replayed who showed it.
    const deliveryTimeoutMs = 8_000;
    const unseenFor = await api.request(session, "tool-approval", { tool: "deploy" }, 120_000, { deliveryTimeoutMs });
    await first.page.waitForSelector(card(unseenFor.id), { timeout: 10_000 });
    const shownBy = await until(async () => (await api.read(session, unseenFor.id, 0)).body.shownBy, 10_000, () => `the server to record ${unseenFor.id} shown`);
    check(shownBy === firstConnection, `shownBy is ${shownBy}, expected page 1's connection ${firstConnection}`);
    await waitUntil(first.page, hasSeenLabel, [unseenFor.id, "seen here"], 10_000, 'page 1 to say "seen here"');
    const second = await openDemo(contexts[1], session);
    const secondConnection = second.socket.welcomes[0].connectionId;
    await second.page.waitForSelector(card(unseenFor.id), { timeout: 10_000 });
    await waitUntil(second.page, hasSeenLabel, [unseenFor.id, "seen on another device"], 10_000, 'page 2 to say "seen on another device"');
    // A long poll that would end early if the delivery deadline ended it.
    const deliveryDeadline = Date.parse(unseenFor.requestedAt) + deliveryTimeoutMs;
    const pastDeadline = await api.read(session, unseenFor.id, deliveryDeadline - Date.now() + 2_000);
    check(Date.now() > deliveryDeadline, "the long poll past the delivery deadline came back before it");
    check(pastDeadline.body.status === "pending", `past its delivery deadline it is ${JSON.stringify(pastDeadline.body)}, expected pending`);
    // Seconds after page 2 showed it: any report it sent has been seen by now.
    const reportsByTheLaterPage = second.socket.sent.filter((f) => f.type === "shown" && f.id === unseenFor.id).length;
    check(reportsByTheLaterPage === 0, `page 2 reported ${unseenFor.id} shown ${reportsByTheLaterPage} time(s), though page 1 had`);
    await api.cancel(session, unseenFor.id);

    // (b) Both pages show it and race to report it; typing in page 1 extends it.
    const timeoutMs = 20_000;
    const maxTimeoutMs = 600_000;
    const typedInto = await api.request(session, "text", { message: "What changed?", multiline: true }, timeoutMs, { maxTimeoutMs });
    const pages = [first, second];
    await Promise.all(pages.map((p) => p.page.waitForSelector(card(typedInto.id), { timeout: 10_000 })));
    const given = await first.page.evaluate((id) => window.demo.client.pending().find((i) => i.id === id), typedInto.id);
    check(
      Date.parse(given.extendableUntil) === Date.parse(typedInto.requestedAt) + maxTimeoutMs,
      `the page was given extendableUntil ${given.extendableUntil}, expected requestedAt + ${maxTimeoutMs} ms`,
    );
    const winner = await until(async () => (await api.read(session, typedInto.id, 0)).body.shownBy, 10_000, () => `the server to record ${typedInto.id} shown`);
    check([firstConnection, secondConnection].includes(winner), `shownBy is ${winner}, neither page's connection`);
    const seen = {};
    for (const [p, connection] of [[first, firstConnection], [second, secondConnection]]) {
      const label = connection === winner ? "seen here" : "seen on another device";
      await waitUntil(p.page, hasSeenLabel, [typedInto.id, label], 10_000, `${connection} to say "${label}"`);
      seen[connection === winner ? "reporting" : "other"] = label;
    }

    const typed = "Faster start-up, fewer restarts.";
    await first.page.locator(card(typedInto.id)).getByLabel("What changed?", { exact: true }).pressSequentially(typed, { delay: 20 });
    await until(() => pages.every((p) => p.socket.received.some((f) => f.type === "extended" && f.id === typedInto.id)), 10_000, () => "both pages to be told of the extension");
    const told = pages.map((p) => p.socket.received.filter((f) => f.type === "extended" && f.id === typedInto.id).map((f) => f.expiresAt));
    const expiresAt = (await api.read(session, typedInto.id, 0)).body.expiresAt;
    check(Date.parse(expiresAt) > Date.parse(typedInto.expiresAt), `expiresAt is ${expiresAt}, not later than the requested ${typedInto.expiresAt}`);
    check(told.every((list) => sameList(list, [expiresAt])), `the pages were told ${JSON.stringify(told)}, expected once ${expiresAt}`);
    const extendFrames = first.socket.sent.filter((f) => f.type === "extend" && f.id === typedInto.id);
    check(extendFrames.length === 1 && extendFrames[0].byMs === 60_000, `typing ${typed.length} characters sent ${JSON.stringify(extendFrames)}, expected one extend by 60000 ms`);
    const countdowns = [];
    for (const p of pages) {
      // The page counts down to the new deadline: more than the request's own 20 s, and what the server has left then
      // (the page ticks every second and rounds up).
      const followed = async () => {
        const shows = await p.page.evaluate(countdownSeconds, typedInto.id);
        return shows > timeoutMs / 1000 && { shows, serverSays: Math.round((Date.parse(expiresAt) - Date.now()) / 1000) };
      };
      countdowns.push(await until(followed, 10_000, () => "the countdown to follow the extension"));
    }
    check(countdowns.every(({ shows, serverSays }) => Math.abs(shows - serverSays) <= 3), `the pages count down ${JSON.stringify(countdowns)}`);

    await answerButton(first.page.locator(card(typedInto.id))).click();
    const answered = await api.read(session, typedInto.id, 10_000);
    check(answered.body.status === "answered" && answered.body.value?.text === typed, `after typing it was answered ${JSON.stringify(answered.body)}`);

    // (c) No page shows this session: nobody reports it, so it ends long before its own deadline.
    const nobody = sessionId("human-time-unseen");
    const unseen = await api.request(nobody, "tool-approval", { tool: "deploy" }, 60_000, { deliveryTimeoutMs: 1_000 });
    const ended = await api.read(nobody, unseen.id, 20_000);
    check(ended.body.status === "undelivered", `unseen, it ended ${JSON.stringify(ended.body)}, expected undelivered`);

    for (const [name, p] of [["page 1", first], ["page 2", second]]) p.errors.check(name);
    return {
      delivered: {
        interactionId: unseenFor.id,
        deliveryTimeoutMs,
        shownBy,
        reportingConnection: firstConnection,
        statusPastDeliveryDeadline: pastDeadline.body.status,
        reportingPageSays: "seen here",
        laterPageSays: "seen on another device",
        reportsByTheLaterPage,
      },
      extended: {
        interactionId: typedInto.id,
        requestedExpiresAt: typedInto.expiresAt,
        extendableUntil: given.extendableUntil,
        expiresAt,
        extendsSent: extendFrames.length,
        charactersTyped: typed.length,
        seen,
        countdowns,
        answer: answered.body.value,
      },
      undelivered: { interactionId: unseen.id, outcome: ended.body.status },
    };
  } finally {
    await Promise.all(contexts.map((c) => c.close()));
  }
}

/** In the page: how many seconds card `id` counts down ("1m 05s left" is 65); NaN when it shows no countdown. */
function countdownSeconds(id) {
  const text = document.querySelector(`article.card[data-id="${id}"] .deadline`)?.textContent ?? "";
  const match = /^(?:(\d+)m )?(\d+)s left$/.exec(text);
  return match ? Number(match[1] ?? 0) * 60 + Number(match[2]) : NaN;
}

/** In the page: whether card `id` says where it was seen as `text`. */
function hasSeenLabel([id, text]) {
  return document.querySelector(`article.card[data-id="${id}"] .seen`)?.textContent === text;
}

/**
 * Auth on: the page joins with a client token passed as access_token in its URL (the token field is filled from it), a
 * backend requests with a requester token, the page answers, and the requester reads the answer.
 */
async function authenticated() {
  const session = "e2e-authenticated";
  const backend = requester(options.url, options.requesterToken);
  const anonymous = requester(options.url);
  const refused = await anonymous.read(session, "none", 0);
  check(refused.status === 401, `a request without a token answered ${refused.status}, expected 401`);
  const context = await newContext();
  try {
    const demo = await openDemo(context, session, options.url, options.clientToken);
    await demo.page.evaluate(recordCards);
    const tokenField = await demo.page.inputValue("#token");
    check(tokenField === options.clientToken, "the token field was not filled from access_token");
    // One that names someone else as its answerer comes first: the page shows it read-only and never reports it shown.
    const readOnlyId = await backend.create(session, "confirm", { message: "Publish the Q3 report?" }, 120_000, {
      answerers: { subjects: ["someone-else"] },
    });
    const id = await backend.create(session, "sign-off", { document: "Q3 report" }, 120_000);
    await demo.page.waitForSelector(card(id), { timeout: 10_000 });
    await demo.page.waitForSelector(card(readOnlyId), { timeout: 10_000 });
    const readOnly = await demo.page.evaluate((selector) => {
      const buttons = [...document.querySelectorAll(`${selector} button`)];
      return {
        buttons: buttons.length,
        disabled: buttons.every((button) => button.matches(":disabled")),
        badge: document.querySelector(`${selector} .badge`).textContent,
        note: document.querySelector(`${selector} .read-only-note`)?.textContent ?? null,
      };
    }, card(readOnlyId));
    check(readOnly.buttons >= 2 && readOnly.disabled, `the read-only card's buttons: ${JSON.stringify(readOnly)}`);
    // Reports go out oldest first: once the later card's is recorded, the read-only one's would have been too.
    await until(async () => (await backend.read(session, id, 0)).body?.shownBy, 10_000, () => `the server to record card ${id} shown`);
    const unreported = await backend.read(session, readOnlyId, 0);
    check(unreported.body.shownBy === undefined, `the read-only interaction was reported shown: ${JSON.stringify(unreported.body)}`);
    const outcome = backend.read(session, id, 10_000);
    await demo.page.click(`${card(id)} button.answer`);
    await waitUntil(demo.page, cardRemoved, id, 10_000, `card ${id} to be removed`);
    const read = await outcome;
    check(read.status === 200 && read.body.status === "answered", `the requester read ${JSON.stringify(read.body)}`);
    check(read.body.answeredBy === demo.socket.welcomes[0]?.connectionId, "answeredBy is not the page's connection");
    await backend.cancel(session, readOnlyId);
    await waitUntil(demo.page, cardRemoved, readOnlyId, 10_000, `card ${readOnlyId} to be removed`);
    demo.errors.check("the authenticated page");
    return { interactionId: id, answeredBy: read.body.answeredBy, readOnly };
  } finally {
    await context.close();
  }
}

/** Many interactions through one page; afterwards nothing is left: cards, client state, handlers, nodes, listeners. */
async function leakCheck() {
  const session = sessionId("leak");
  const context = await newContext();
  try {
    const demo = await openDemo(context, session);
    const cdp = await context.newCDPSession(demo.page);
    await waitUntil(demo.page, () => document.querySelector("#state-text")?.textContent === "connected", undefined, 5_000, "the header to say connected");
    const before = await measure(demo.page, cdp);
    log(`leakCheck: before ${JSON.stringify(before)}`);

    const churnStarted = performance.now();
    const churned = await churn(session, options.interactions, options.inFlight, 16);
    const churnMs = performance.now() - churnStarted;
    log(`leakCheck: ${churned.ids.length} interactions created and closed in ${Math.round(churnMs)} ms`);

    // Every frame has arrived once the page got a "closed" for every interaction; then the page must have handled them.
    await until(
      () => churned.ids.every((id) => demo.socket.closed.has(id)),
      30_000,
      () => `the page to receive a closed frame for all ${churned.ids.length} interactions (got ${demo.socket.closed.size})`,
    );
    await waitUntil(demo.page, () => window.demo.cardCount() === 0 && window.demo.client.pending().length === 0, undefined, 60_000, "the page to hold no interaction");
    await waitUntil(demo.page, () => document.querySelectorAll("article.card").length === 0, undefined, CARD_REMOVAL_MS + 60_000, "every card to leave the DOM");
    const drainedMs = performance.now() - churnStarted;
    const after = await measure(demo.page, cdp);
    log(`leakCheck: after ${JSON.stringify(after)}`);

    check(demo.socket.welcomes.length === 1, `the page reconnected ${demo.socket.welcomes.length - 1} time(s) during the run`);
    check(demo.socket.interactions.size === churned.ids.length, `the page was sent ${demo.socket.interactions.size} interactions, expected ${churned.ids.length}`);
    check(after.cards === 0 && after.pending === 0 && after.domCards === 0, `left behind: ${JSON.stringify(after)}`);
    check(after.emptyShown, "the 'No pending interactions' placeholder is hidden although no card is left");
    check(sameJson(after.handlers, before.handlers), `client handlers ${JSON.stringify(before.handlers)} before, ${JSON.stringify(after.handlers)} after`);
    check(after.windowListeners === before.windowListeners, `window listeners ${before.windowListeners} before, ${after.windowListeners} after`);
    check(after.documentListeners === before.documentListeners, `listeners in the document ${before.documentListeners} before, ${after.documentListeners} after`);
    // Renderer-wide counters after a forced GC: a leaked card would hold ~20 nodes and 2 listeners; allow a little
    // noise (Playwright's injected script, text nodes being replaced) but nothing that grows with the run.
    check(after.jsEventListeners <= before.jsEventListeners + 10, `JS event listeners ${before.jsEventListeners} before, ${after.jsEventListeners} after`);
    check(after.nodes <= before.nodes + 200, `DOM nodes ${before.nodes} before, ${after.nodes} after`);
    demo.errors.check("the page");
    return {
      interactions: churned.ids.length,
      outcomes: churned.outcomes,
      maxInFlight: churned.maxInFlight,
      churnMs: Math.round(churnMs),
      drainedMs: Math.round(drainedMs),
      before,
      after,
    };
  } finally {
    await context.close();
  }
}

/** The page loses its connection; what changed meanwhile is shown (X) or dropped (Y) once it is back. */
async function reconnect() {
  const session = sessionId("reconnect");
  const target = new URL(options.url);
  const proxy = await startProxy(target.hostname, Number(target.port));
  const context = await newContext();
  try {
    const demo = await openDemo(context, session, `http://127.0.0.1:${proxy.port}`);
    await demo.page.evaluate(recordCards);
    const y = await api.create(session, "to-be-cancelled", { step: "y" }, 120_000);
    const z = await api.create(session, "stays-pending", { step: "z" }, 120_000);
    await demo.page.waitForSelector(card(y), { timeout: 10_000 });
    await demo.page.waitForSelector(card(z), { timeout: 10_000 });
    const handlersBefore = (await clientState(demo.page)).handlers;

    const droppedAt = performance.now();
    proxy.drop();
    await waitUntil(demo.page, () => window.demo.client.state === "reconnecting", undefined, 10_000, "the client to notice the drop");
    await until(async () => (await api.session(session)).connections.length === 0, 10_000, () => "the server to detach the page's connection");
    const x = await api.create(session, "requested-while-away", { step: "x" }, 120_000);
    const cancelled = await api.cancel(session, y);
    check(cancelled.status === "cancelled", `DELETE of Y answered ${JSON.stringify(cancelled)}`);
    await sleep(Math.max(0, 3_000 - (performance.now() - droppedAt)));
    const away = await demo.page.evaluate(([x, y]) => ({ x: !!document.querySelector(`article.card[data-id="${x}"]`), y: window.__cards.badges[y]?.at(-1) }), [x, y]);
    check(!away.x && away.y === "pending", `the page was not cut off: while away it showed X=${away.x}, Y=${away.y}`);
    const offlineMs = performance.now() - droppedAt;

    proxy.restore();
    const restoredAt = performance.now();
    await waitUntil(demo.page, () => window.demo.client.state === "open", undefined, 30_000, "the client to reconnect");
    const reconnectMs = performance.now() - restoredAt;
    await demo.page.waitForSelector(card(x), { timeout: 10_000 });
    await waitUntil(demo.page, cardRemoved, y, 10_000, `card Y (${y}) to be dropped`);

    const seen = await demo.page.evaluate(() => window.__cards);
    check(sameList(seen.badges[y], ["pending", "gone"]), `Y's badge went ${JSON.stringify(seen.badges[y])}, expected pending then gone (dropped on "synced")`);
    check(sameList(seen.badges[z], ["pending"]), `Z's badge went ${JSON.stringify(seen.badges[z])}, expected to stay pending`);
    const state = await clientState(demo.page);
    check(state.state === "open", `client state is ${state.state}, expected open`);
    check(sameJson([...state.pendingIds].sort(), [x, z].sort()), `the client holds ${JSON.stringify(state.pendingIds)}, expected X and Z`);
    check(state.cards === 2 && state.domCards === 2, `the page shows ${state.domCards} cards (${state.cards} tracked), expected X and Z once each`);
    check(sameJson(state.handlers, handlersBefore), `client handlers ${JSON.stringify(handlersBefore)} before, ${JSON.stringify(state.handlers)} after the reconnect`);
    check(demo.socket.welcomes.length === 2, `the page was welcomed ${demo.socket.welcomes.length} times, expected 2`);
    const synced = demo.socket.synced.at(-1);
    check(synced?.pending === 2, `the last synced frame was ${JSON.stringify(synced)}, expected pending 2`);

    // The new connection works: answer X from the page; the requester sees the new connection answered it.
    await demo.page.click(`${card(x)} button.answer`);
    const read = await api.read(session, x, 10_000);
    const newConnection = demo.socket.welcomes[1].connectionId;
    check(read.body.status === "answered" && read.body.answeredBy === newConnection, `X read ${JSON.stringify(read.body)}, expected answered by ${newConnection}`);
    await api.cancel(session, z);
    await waitUntil(demo.page, () => document.querySelectorAll("article.card").length === 0, undefined, CARD_REMOVAL_MS + 60_000, "the last cards to leave");
    demo.errors.check("the page");
    return {
      offlineMs: Math.round(offlineMs),
      reconnectMs: Math.round(reconnectMs),
      connections: demo.socket.welcomes.map((w) => w.connectionId),
      droppedOutcome: seen.badges[y].at(-1),
      syncedPending: synced.pending,
    };
  } finally {
    await context.close();
    await proxy.close();
  }
}

// --- the page --------------------------------------------------------------------------------------------------------

function newContext(settings = {}) {
  return browser.newContext({ viewport: { width: 1200, height: 800 }, ...settings });
}

/**
 * Opens the demo page on a session and waits until its client is connected. Frames the page receives are read through
 * the DevTools protocol (nothing is registered on the client); uncaught page errors and failing client handlers fail
 * the scenario.
 */
async function openDemo(context, session, baseUrl = options.url, token = "") {
  const page = await context.newPage();
  // `sent` and `received` keep the human-time frames: shown and extend out, shown and extended in.
  const socket = { welcomes: [], synced: [], interactions: new Set(), closed: new Set(), errors: [], answers: new Map(), sent: [], received: [] };
  page.on("websocket", (ws) => {
    ws.on("framereceived", ({ payload }) => {
      const frame = parseFrame(payload);
      if (frame?.type === "welcome") socket.welcomes.push(frame);
      else if (frame?.type === "synced") socket.synced.push(frame);
      else if (frame?.type === "interaction") socket.interactions.add(frame.id);
      else if (frame?.type === "closed") socket.closed.add(frame.id);
      else if (frame?.type === "error") socket.errors.push(frame);
      else if (frame?.type === "shown" || frame?.type === "extended") socket.received.push(frame);
    });
    ws.on("framesent", ({ payload }) => {
      const frame = parseFrame(payload);
      if (frame?.type === "answer") socket.answers.set(frame.id, [...(socket.answers.get(frame.id) ?? []), frame.value]);
      else if (frame?.type === "shown" || frame?.type === "extend") socket.sent.push(frame);
    });
  });
  const failures = [];
  page.on("pageerror", (error) => failures.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("handler failed")) failures.push(message.text());
  });
  const errors = {
    check(name) {
      check(failures.length === 0, `${name} reported errors: ${failures.join("; ")}`);
    },
  };
  const tokenParameter = token ? `&access_token=${encodeURIComponent(token)}` : "";
  await page.goto(`${baseUrl}/?session=${encodeURIComponent(session)}${tokenParameter}`);
  await waitUntil(page, () => window.demo?.client?.state === "open", undefined, 15_000, `the page on ${session} to connect`);
  await until(() => socket.synced.length > 0, 10_000, () => "the first synced frame");
  return { page, socket, errors };
}

/** Records, in the page, every badge text each card shows and each card's removal (a card lives only 1.4 s once closed). */
function recordCards() {
  const seen = (window.__cards = { badges: {}, notes: {}, removed: [] });
  const append = (map, id, text) => {
    const list = (map[id] ??= []);
    if (text && list.at(-1) !== text) list.push(text);
  };
  const record = () => {
    for (const card of document.querySelectorAll("article.card")) {
      append(seen.badges, card.dataset.id, card.querySelector(".badge")?.textContent);
      append(seen.notes, card.dataset.id, card.querySelector(".note")?.textContent);
    }
  };
  new MutationObserver((mutations) => {
    record();
    for (const mutation of mutations) {
      for (const node of mutation.removedNodes) {
        if (node instanceof HTMLElement && node.matches("article.card")) seen.removed.push(node.dataset.id);
      }
    }
  }).observe(document.getElementById("cards"), { childList: true, subtree: true, characterData: true });
  record();
}

/** A WebSocket frame's JSON, or null when it is not JSON. */
function parseFrame(payload) {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return null;
  }
}

function cardRemoved(id) {
  return window.__cards.removed.includes(id) && !document.querySelector(`article.card[data-id="${id}"]`);
}

function card(id) {
  return `article.card[data-id="${id}"]`;
}

function clientState(page) {
  return page.evaluate(() => ({
    state: window.demo.client.state,
    handlers: window.demo.client.listenerCounts(),
    pending: window.demo.client.pending().length,
    pendingIds: window.demo.client.pending().map((i) => i.id),
    cards: window.demo.cardCount(),
    domCards: document.querySelectorAll("article.card").length,
    emptyShown: !document.getElementById("empty").hidden,
  }));
}

/** The page's own view plus the renderer's: listeners on window and in the document, DOM nodes and listeners after GC. */
async function measure(page, cdp) {
  const state = await clientState(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("HeapProfiler.collectGarbage");
  const counters = await cdp.send("Memory.getDOMCounters");
  const listeners = async (expression, depth) => {
    const { result } = await cdp.send("Runtime.evaluate", { expression, objectGroup: "e2e" });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId, depth, pierce: true });
    return listeners.length;
  };
  const windowListeners = await listeners("window", 0);
  const documentListeners = await listeners("document", -1);
  await cdp.send("Runtime.releaseObjectGroup", { objectGroup: "e2e" });
  return {
    cards: state.cards,
    pending: state.pending,
    domCards: state.domCards,
    emptyShown: state.emptyShown,
    handlers: state.handlers,
    windowListeners,
    documentListeners,
    nodes: counters.nodes,
    jsEventListeners: counters.jsEventListeners,
  };
}

// --- the requester ---------------------------------------------------------------------------------------------------

function requester(base, token = "") {
  async function call(method, path, body) {
    const headers = body === undefined ? {} : { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  }
  const expect = (reply, status, what) => {
    check(reply.status === status, `${what} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const at = (session, id = "") => `/v1/sessions/${encodeURIComponent(session)}/interactions${id ? `/${encodeURIComponent(id)}` : ""}`;
  /** Creates an interaction; `more` holds the request's optional fields (answerSchema, deliveryTimeoutMs, …). */
  async function request(session, kind, payload, timeoutMs, more = {}) {
    return expect(await call("POST", at(session), { kind, payload, timeoutMs, ...more }), 201, `POST ${at(session)}`);
  }
  return {
    request,
    async create(session, kind, payload, timeoutMs, more) {
      return (await request(session, kind, payload, timeoutMs, more)).id;
    },
    async cancel(session, id) {
      return expect(await call("DELETE", at(session, id)), 200, `DELETE ${at(session, id)}`);
    },
    async answer(session, id, value) {
      return expect(await call("POST", `${at(session, id)}/answer`, { value }), 200, `POST ${at(session, id)}/answer`);
    },
    read(session, id, waitMs) {
      return call("GET", `${at(session, id)}?waitMs=${waitMs}`);
    },
    async session(session) {
      return expect(await call("GET", `/v1/sessions/${encodeURIComponent(session)}`), 200, `GET /v1/sessions/${session}`);
    },
  };
}

/**
 * Creates `total` interactions and closes each (3 of 4 cancelled, 1 of 4 answered over HTTP), oldest first, with at
 * most `window` of them open at a time and `concurrency` requests on the wire.
 */
async function churn(session, total, window, concurrency) {
  const ids = [];
  const open = [];
  const outcomes = { cancelled: 0, answered: 0 };
  let started = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let closing = 0;
  async function worker() {
    for (;;) {
      if (started < total && inFlight < window) {
        const n = started++;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const id = await api.create(session, "leak-check", { n }, 300_000);
        ids.push(id);
        open.push(id);
      } else if (open.length > 0) {
        const id = open.shift();
        if (closing++ % 4 === 3) {
          await api.answer(session, id, { n: closing });
          outcomes.answered += 1;
        } else {
          await api.cancel(session, id);
          outcomes.cancelled += 1;
        }
        inFlight -= 1;
      } else if (started >= total && inFlight === 0) {
        return;
      } else {
        await sleep(2);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ids, outcomes, maxInFlight };
}

// --- a connection that can be cut ------------------------------------------------------------------------------------

/** A TCP proxy to the server: drop() cuts every connection through it and refuses new ones until restore(). */
async function startProxy(host, port) {
  const sockets = new Set();
  let online = true;
  const server = net.createServer((inbound) => {
    if (!online) {
      inbound.resetAndDestroy();
      return;
    }
    const outbound = net.connect(port, host);
    const pair = [inbound, outbound];
    pair.forEach((s) => sockets.add(s));
    const end = () => pair.forEach((s) => (s.destroy(), sockets.delete(s)));
    inbound.on("error", end).on("close", end);
    outbound.on("error", end).on("close", end);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    drop() {
      online = false;
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
    },
    restore() {
      online = true;
    },
    close() {
      this.drop();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// --- plumbing --------------------------------------------------------------------------------------------------------

function parseOptions(argv) {
  const defaults = {
    url: null,
    scenarios: DEFAULT_SCENARIOS,
    interactions: "2000",
    "in-flight": "80",
    screenshot: path.resolve(HERE, "../../../target/browser/two-pages.png"),
    chromium: "/usr/bin/chromium",
    "client-token": "",
    "requester-token": "",
  };
  const values = { ...defaults };
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match || !(match[1] in defaults)) usage(`unknown argument ${arg}`);
    values[match[1]] = match[2];
  }
  if (!values.url || !/^https?:\/\/[^/]+$/.test(values.url)) usage("--url=http://HOST:PORT is required");
  const scenarios = values.scenarios.split(",").filter(Boolean);
  for (const name of scenarios) if (!(name in SCENARIOS)) usage(`unknown scenario ${name}`);
  const interactions = Number(values.interactions);
  const inFlight = Number(values["in-flight"]);
  if (!(interactions > 0) || !(inFlight > 0)) usage("--interactions and --in-flight must be positive numbers");
  if (scenarios.includes("authenticated") && !(values["client-token"] && values["requester-token"])) {
    usage("the authenticated scenario needs --client-token and --requester-token");
  }
  return {
    url: values.url,
    scenarios,
    interactions,
    inFlight,
    screenshot: path.resolve(values.screenshot),
    chromium: values.chromium,
    clientToken: values["client-token"],
    requesterToken: values["requester-token"],
  };
}

function usage(problem) {
  console.error(`[e2e] ${problem}\nusage: node demo.e2e.mjs --url=http://127.0.0.1:8080 [--scenarios=${Object.keys(SCENARIOS).join(",")}] [--interactions=2000] [--in-flight=80] [--screenshot=PATH] [--chromium=/usr/bin/chromium]`);
  process.exit(2);
}

function sessionId(purpose) {
  return `e2e-${purpose}-${runId}`;
}

/** Waits until `fn(arg)` is truthy in the page; the error says what was awaited. */
async function waitUntil(page, fn, arg, timeout, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 25 });
  } catch (error) {
    throw new Error(`timed out after ${timeout} ms waiting for ${what}${error.message.includes("Timeout") ? "" : `: ${error.message}`}`);
  }
}

/** Waits until `condition()` (maybe async) is truthy in this process, and returns that value. */
async function until(condition, timeout, what) {
  const deadline = performance.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what()}`);
    await sleep(25);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function sameList(actual, expected) {
  return Array.isArray(actual) && sameJson(actual, expected);
}

function sameJson(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(message) {
  console.error(`[e2e] ${message}`);
}

// Client adapter for the interaction orchestrator (our server), for the peer harness in
// /work/shared/peers (copy this file to lib/clients/interactions.mjs there).
//
//   connect({ url, session, localAddress, answer, onDrop, connectTimeoutMs })
//     -> Promise<{ close(), destroy() }>
//
// Wire contract (protocol/.../ServerMessage.java, ClientMessage.java, server/.../HttpApi.java):
//   GET ws://host/v1/sessions/{sid}/ws  -> {"type":"welcome","heartbeatMs":…}, then
//   {"type":"interaction","id":…} per pending interaction; the client replies
//   {"type":"answer","id":…,"value":…} and must send {"type":"ping"} at least every heartbeatMs.
// Resolves on `welcome`. `answer(message)` may return Symbol.for("peers.noAnswer") to leave the
// interaction unanswered. destroy() drops the TCP socket without a close frame.
import WebSocket from "ws";

export const name = "interactions";
export const NO_ANSWER = Symbol.for("peers.noAnswer");

export function connect({ url, session, localAddress, answer, onDrop, connectTimeoutMs, pingMs }) {
  // INTERACTIONS_WS_ORIGIN (e.g. http://127.0.0.1:8080) sends the WebSocket straight to the server
  // when `url` points at jvm-stats-proxy.mjs (used for churn.mjs, which reads /stats from `url`).
  const base = new URL(process.env.INTERACTIONS_WS_ORIGIN || url);
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  base.pathname = `/v1/sessions/${encodeURIComponent(session)}/ws`;
  base.search = "";
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base.toString(), {
      localAddress,
      handshakeTimeout: connectTimeoutMs,
      perMessageDeflate: false,
    });
    let welcomed = false;
    let closing = false;
    let pinger = null;
    const stopPinging = () => {
      if (pinger) clearInterval(pinger);
      pinger = null;
    };
    const fail = (err) => {
      stopPinging();
      if (!welcomed) {
        welcomed = true; // settle once
        try {
          ws.terminate();
        } catch {}
        reject(new Error(`session ${session}: ${err?.message ?? err}`));
      }
    };
    const timer = setTimeout(() => fail(new Error("no welcome in time")), connectTimeoutMs ?? 20000);
    ws.on("message", (data) => {
      let msg;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      switch (msg.type) {
        case "welcome": {
          if (welcomed) return;
          welcomed = true;
          clearTimeout(timer);
          // Ping at the advertised heartbeat (or sooner, if the caller asks via pingMs).
          const advertised = Number(msg.heartbeatMs) > 0 ? Number(msg.heartbeatMs) : 15000;
          const hb = pingMs > 0 ? Math.min(pingMs, advertised) : advertised;
          pinger = setInterval(() => {
            if (ws.readyState === WebSocket.OPEN) ws.send('{"type":"ping"}');
          }, hb);
          pinger.unref?.();
          resolve({
            close() {
              closing = true;
              stopPinging();
              ws.close(1000);
            },
            destroy() {
              closing = true;
              stopPinging();
              if (!ws._socket) throw new Error("interactions adapter: no underlying TCP socket to destroy");
              ws._socket.destroy();
              return { closeFrameSent: Boolean(ws._closeFrameSent) };
            },
          });
          break;
        }
        case "interaction": {
          const reply = answer(msg);
          if (reply !== NO_ANSWER && ws.readyState === WebSocket.OPEN) {
            ws.send(JSON.stringify({ type: "answer", id: msg.id, value: reply }));
          }
          break;
        }
        default:
          break; // synced, closed, ack, error, pong
      }
    });
    ws.on("error", (err) => {
      if (!welcomed) {
        clearTimeout(timer);
        fail(err);
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      fail(new Error(`HTTP ${res.statusCode} on WebSocket upgrade`));
    });
    ws.on("close", (code, reason) => {
      stopPinging();
      clearTimeout(timer);
      if (!welcomed) fail(new Error(`closed before welcome (${code} ${reason})`));
      else if (!closing) {
        // The harness only counts drops; why the server closed is worth seeing in the run's log.
        console.error(`${new Date().toISOString()} interactions adapter: session ${session} dropped: close ${code} ${reason}`);
        onDrop?.(`close ${code} ${reason}`);
      }
    });
  });
}

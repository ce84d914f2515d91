// chat.js: the browser in chapter 3's room, over one of HTTP's three ways to push.
//
//   ?t=ws    a WebSocket to /ws: each room line is one TEXT message, each typed
//            line one message back (the browser masks and frames it)
//   ?t=sse   POST /join for a session token, then an EventSource on
//            /events?session=...: each line is one event; typed lines go by POST /send
//   ?t=poll  POST /join, then GET /poll?session=...&since=N in a loop: each answer
//            holds the lines above N, or none after the server's wait; POST /send
//
// No framework and no build step: what the page does is all here.
"use strict";

const transport = new URLSearchParams(location.search).get("t") || "ws";
const linesList = document.getElementById("lines");
const statusText = document.getElementById("status");
const nickText = document.getElementById("nick");
document.getElementById("transport").textContent = transport;

// Show one room line. Notices start with "* ", errors with "! " (chapter 3).
function show(line, className) {
  const item = document.createElement("li");
  if (className) item.className = className;
  else if (line.startsWith("* ")) item.className = "notice";
  else if (line.startsWith("! ")) item.className = "error";
  item.textContent = line;
  linesList.appendChild(item);
  item.scrollIntoView(false);
  // The nick is whatever the server last said it is.
  let m = /^\* welcome to \S+, you are ([^;]+);/.exec(line);
  if (m) nickText.textContent = m[1];
  m = /^\* (\S+) is now known as (\S+)$/.exec(line);
  if (m && m[1] === nickText.textContent) nickText.textContent = m[2];
}

function setStatus(text) {
  statusText.textContent = text;
}

// ---- WebSocket: one connection both ways ------------------------------------------
function startWebSocket() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + location.host + "/ws");
  socket.onopen = () => setStatus("connected");
  socket.onmessage = (event) => show(event.data);
  socket.onclose = (event) => setStatus("closed (" + event.code + ")");
  return (text) => socket.send(text);
}

// ---- Sessions: HTTP is stateless, so the room knows us by a token ------------------
async function join() {
  const response = await fetch("/join", { method: "POST" });
  if (!response.ok) throw new Error("join: " + response.status);
  return (await response.json()).session;
}

function sender(session) {
  return (text) =>
    fetch("/send?session=" + session, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: text + "\n",
    }).then((response) => {
      if (response.status === 404) setStatus("session ended");
    });
}

// ---- Server-sent events: the browser reconnects by itself (with Last-Event-ID) -----
async function startEventSource() {
  const session = await join();
  const source = new EventSource("/events?session=" + session);
  source.onopen = () => setStatus("connected");
  source.onmessage = (event) => show(event.data);
  source.addEventListener("gap", () => show("! some lines were missed"));
  source.onerror = () => setStatus("reconnecting…");
  return sender(session);
}

// ---- Long polling: ask, wait for the answer, ask again from where it left off ------
async function startPolling() {
  const session = await join();
  setStatus("connected");
  (async function pollLoop() {
    let since = 0;
    for (;;) {
      const response = await fetch("/poll?session=" + session + "&since=" + since);
      if (!response.ok) {
        setStatus("session ended (" + response.status + ")");
        return;
      }
      const answer = await response.json();
      if (answer.gap) show("! some lines were missed");
      answer.lines.forEach(show);
      since = answer.next;
    }
  })().catch(() => setStatus("disconnected"));
  return sender(session);
}

const starters = { ws: startWebSocket, sse: startEventSource, poll: startPolling };

async function main() {
  const start = starters[transport];
  if (!start) {
    setStatus("unknown transport: use ?t=ws, ?t=sse or ?t=poll");
    return;
  }
  const send = await start();
  const box = document.getElementById("text");
  document.getElementById("say").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value;
    box.value = "";
    if (text === "") return;
    send(text);
    // The room relays a line to everyone but its sender, so show ours here.
    if (!text.startsWith("/")) show(nickText.textContent + ": " + text, "mine");
  });
}

main().catch((error) => setStatus("error: " + error.message));

// A real Socket.IO 4 server for tst_interop_socketio, with connection state recovery on. It speaks
// the shapes docs/PROTOCOLS.md ("socketio") maps, so one server covers all of them:
//   - `ticker`: emitted to every client every --tick-ms, {n, ts} (channel = event name, no seq);
//   - `message`: {channel, seq, data} to the room of `channel` (one event carrying channel, seq and
//     data; seq counts per channel from 1 on this process);
//   - `join` / `leave` (channel, ack?): enter or leave a channel's room, acked {ok: true};
//   - `publish` ({id, channel, data}, ack): sent on to the channel's room as a `message`, acked
//     {seq}; a repeated id is acked again with the seq it got the first time and not sent again
//     (so a publish resent after a lost ack is delivered once); a channel named "forbidden" is
//     refused with {error};
//   - with --token T, a CONNECT whose auth.token is not T is refused ("invalid token").
// Usage: node server.js [--port 0] [--ping-interval ms] [--ping-timeout ms] [--tick-ms ms]
//                       [--token T] [--recovery-ms ms]
// Listens on 127.0.0.1 and prints the port it got on stdout, alone on a line.
"use strict";
const http = require("http");
const { Server } = require("socket.io");

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(arg("--port", "0"));
const pingInterval = Number(arg("--ping-interval", "25000"));
const pingTimeout = Number(arg("--ping-timeout", "20000"));
const tickMs = Number(arg("--tick-ms", "100"));
const token = arg("--token", "");
const recoveryMs = Number(arg("--recovery-ms", "120000"));

const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval,
  pingTimeout,
  transports: ["websocket"],
  connectionStateRecovery: { maxDisconnectionDuration: recoveryMs, skipMiddlewares: true },
});

if (token) {
  io.use((socket, next) => {
    const given = socket.handshake.auth && socket.handshake.auth.token;
    if (given === token) next();
    else next(new Error("invalid token"));
  });
}

const seqs = new Map(); // channel -> last seq
const published = new Map(); // publish id -> seq it got (bounded below)

function send(channel, data) {
  const seq = (seqs.get(channel) || 0) + 1;
  seqs.set(channel, seq);
  io.to(channel).emit("message", { channel, seq, data });
  return seq;
}

io.on("connection", (socket) => {
  socket.on("join", (channel, ack) => {
    if (typeof channel !== "string" || channel === "") {
      if (typeof ack === "function") ack({ error: "join needs a channel name" });
      return;
    }
    socket.join(channel);
    if (typeof ack === "function") ack({ ok: true, seq: seqs.get(channel) || 0 });
  });
  socket.on("leave", (channel, ack) => {
    socket.leave(channel);
    if (typeof ack === "function") ack({ ok: true });
  });
  socket.on("publish", (msg, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    if (!msg || typeof msg.channel !== "string" || typeof msg.id !== "string") {
      reply({ error: "publish needs {id, channel, data}" });
      return;
    }
    if (msg.channel === "forbidden") {
      reply({ error: "publishing to forbidden is not allowed" });
      return;
    }
    if (published.has(msg.id)) {
      reply({ seq: published.get(msg.id), duplicate: true });
      return;
    }
    const seq = send(msg.channel, msg.data);
    published.set(msg.id, seq);
    if (published.size > 100000) published.delete(published.keys().next().value);
    reply({ seq });
  });
  socket.on("echo", (value, ack) => {
    if (typeof ack === "function") ack(value);
  });
});

let n = 0;
setInterval(() => {
  n += 1;
  io.emit("ticker", { n, ts: Date.now() });
}, tickMs);

httpServer.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${httpServer.address().port}\n`);
});

process.on("SIGTERM", () => process.exit(0));

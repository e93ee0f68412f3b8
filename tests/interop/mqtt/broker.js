// A real MQTT 3.1.1 broker (aedes) served over WebSocket (ws) on 127.0.0.1, port 0, for
// tst_interop_mqtt. Prints {"port": N} once listening, then one JSON line per event the test
// reads: {"published": topic, "payload": text, "qos": n, "dup": b, "client": id} for every PUBLISH a
// client sent, {"connected": id}, {"disconnected": id}.
// Options: --username U --password P: CONNACK 4 (bad user name or password) unless both match;
// --refuse-id ID: CONNACK 2 (identifier rejected) for that client id. --port N: listen there (default:
// a free port).
// Commands on stdin, one JSON object a line:
//   {"publish": {"topic": T, "payload": S, "qos": 0|1, "retain": bool}}
//   {"series": {"topic": T, "from": n, "count": k, "intervalMs": ms, "qos": 1}}  publishes the
//     numbers from..from+k-1 as payloads, one every intervalMs, then prints {"seriesDone": T}
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

const args = process.argv.slice(2)
const option = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const username = option('--username')
const password = option('--password')
const refuseId = option('--refuse-id')
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const aedes = await Aedes.createBroker()
if (username !== undefined || password !== undefined || refuseId !== undefined) {
  aedes.authenticate = (client, user, pass, callback) => {
    if (refuseId !== undefined && client.id === refuseId) {
      const error = new Error('identifier rejected')
      error.returnCode = 2
      return callback(error, null)
    }
    const ok = (username === undefined || user === username) &&
      (password === undefined || (pass !== undefined && pass !== null && pass.toString() === password))
    if (ok) return callback(null, true)
    const error = new Error('bad user name or password')
    error.returnCode = 4
    callback(error, null)
  }
}
aedes.on('client', (client) => out({ connected: client.id }))
aedes.on('clientDisconnect', (client) => out({ disconnected: client.id }))
aedes.on('publish', (packet, client) => {
  if (!client) return
  out({ published: packet.topic, payload: packet.payload.toString(), qos: packet.qos, dup: !!packet.dup, client: client.id })
})

const http = createServer()
const wss = new WebSocketServer({ server: http })
wss.on('connection', (websocket, req) => {
  const stream = createWebSocketStream(websocket)
  stream.on('error', () => {})
  aedes.handle(stream, req)
})

const publish = (p) => new Promise((resolve) => {
  aedes.publish({ cmd: 'publish', topic: p.topic, payload: Buffer.from(String(p.payload)), qos: p.qos ?? 0, retain: !!p.retain, dup: false }, resolve)
})

// One command at a time, in order: aedes 1.2.0 loses a QoS 1 message published to a client
// concurrently with QoS 0 ones (seen with Promise.all over aedes.publish), so the test's
// publishes are made one after the other, as a single publisher would.
let queue = Promise.resolve()
createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => run(line))
})
const run = async (line) => {
  if (!line.trim()) return
  const cmd = JSON.parse(line)
  if (cmd.publish) {
    await publish(cmd.publish)
    out({ done: cmd.publish.topic })
  } else if (cmd.series) {
    const s = cmd.series
    for (let i = 0; i < s.count; ++i) {
      await publish({ topic: s.topic, payload: String(s.from + i), qos: s.qos ?? 1 })
      if (s.intervalMs) await new Promise((r) => setTimeout(r, s.intervalMs))
    }
    out({ seriesDone: s.topic })
  }
}
process.stdin.on('end', () => process.exit(0))

http.listen(Number(option('--port') ?? 0), '127.0.0.1', () => out({ port: http.address().port }))

// The baseline of the ingestion benchmarks: plain node:http answering every POST with 202 after
// reading its body, nothing else. Run as a child process by bench/pg-ingest.ts.
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' })
    res.end('{"status":"queued"}')
  })
})
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1')
// GET /healthz gets the same answer: test/helpers/instances.ts waits for a 2xx.

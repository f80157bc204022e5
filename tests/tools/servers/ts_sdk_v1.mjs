// A real TypeScript SDK v1 (@modelcontextprotocol/sdk) MCP server for mcpwatch's tests: its
// StreamableHTTPServerTransport behind node:http on loopback, stateless (a fresh server and
// transport per request, the SDK's documented idiom) or stateful (sessions), at any path, with
// one tool, echo. A 2025-era server: it knows nothing of server/discover.
//   node ts_sdk_v1.mjs PORT [PATH] [stateless|stateful]
// Prints "listening PORT" once it serves.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

const port = Number(process.argv[2] ?? 0);
const path = process.argv[3] ?? '/mcp';
const stateful = (process.argv[4] ?? 'stateless') === 'stateful';

function makeServer() {
  const server = new McpServer({ name: 'ts-sdk-v1-echo', version: '1.32.2' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  return server;
}

const sessions = new Map();
const httpServer = http.createServer(async (req, res) => {
  if (new URL(req.url, 'http://127.0.0.1').pathname !== path) {
    res.writeHead(404).end('Not Found');
    return;
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body;
  try { body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined; } catch { body = undefined; }
  if (!stateful) {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    const server = makeServer();
    res.on('close', () => { transport.close(); server.close(); });
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  }
  const sid = req.headers['mcp-session-id'];
  let transport = sid ? sessions.get(sid) : undefined;
  if (!transport) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.set(id, transport),
    });
    await makeServer().connect(transport);
  }
  return transport.handleRequest(req, res, body);
});
httpServer.listen(port, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));

// A real TypeScript SDK v2 (@modelcontextprotocol/server) MCP server for mcpwatch's tests: the
// SDK's own createMcpHandler (2026-07-28 and, by default, stateless 2025-era serving: the
// dual-era server the issue names) behind node:http on loopback, with one tool, echo.
//   node ts_sdk_v2.mjs PORT [PATH] [legacy=stateless|reject]
// Prints "listening PORT" once it serves.
import http from 'node:http';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod/v4';

const port = Number(process.argv[2] ?? 0);
const path = process.argv[3] ?? '/mcp';
const legacy = process.argv[4] ?? 'stateless';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'ts-sdk-v2-echo', version: '2.4.0' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  return server;
}, { legacy });

const httpServer = http.createServer(async (req, res) => {
  if (new URL(req.url, 'http://127.0.0.1').pathname !== path) {
    res.writeHead(404).end('Not Found');
    return;
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  const request = new Request(`http://127.0.0.1:${port}${req.url}`, {
    method: req.method, headers: req.headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
  });
  const response = await handler.fetch(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return res.end();
  for await (const chunk of response.body) res.write(chunk);
  res.end();
});
httpServer.listen(port, '127.0.0.1', () => console.log(`listening ${httpServer.address().port}`));

// A real OAuth-protected MCP server for mcpwatch's tests (issue 13), built from the TypeScript
// SDK v1 (@modelcontextprotocol/sdk 1.32): an authorization server from its mcpAuthRouter
// (metadata, dynamic client registration, authorize, token with refresh_token, revocation) and
// a Streamable HTTP MCP server behind its requireBearerAuth, publishing protected resource
// metadata. The authorize endpoint approves at once, so a test can play the browser.
//   node ts_sdk_oauth.mjs MCP_PORT AS_PORT ACCESS_TTL_SECONDS CANARY
// Every credential it issues (client secrets, access and refresh tokens) contains CANARY.
// Access tokens live ACCESS_TTL_SECONDS; refresh tokens rotate on use and carry
// refresh_token_expires_in (30 days). Test controls on the MCP port:
//   POST /control/revoke   every refresh token stops working (invalid_grant)
//   POST /control/stop-as  the authorization server stops listening (connection refused)
//   GET  /control/stats    {"issued", "refreshed", "refused", "client_credentials", "mcp_ok",
//                           "mcp_401"}
// The SDK's token endpoint has no client_credentials grant; this one adds it for the
// pre-registered client "svc" whose secret is "CANARY-svc-secret" (client_secret_post or
// client_secret_basic): a new access token each time, no refresh token.
// Prints "listening MCP_PORT AS_PORT" once both serve.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { mcpAuthRouter, mcpAuthMetadataRouter, createOAuthMetadata } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidGrantError, InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { z } from 'zod';

const mcpPort = Number(process.argv[2]);
const asPort = Number(process.argv[3]);
const accessTtl = Number(process.argv[4] ?? 3);
const canary = process.argv[5] ?? 'canary';
const refreshTtl = 30 * 24 * 3600;
const issuer = new URL(`http://127.0.0.1:${asPort}/`);
const mcpUrl = new URL(`http://127.0.0.1:${mcpPort}/mcp`);
const stats = { issued: 0, refreshed: 0, refused: 0, client_credentials: 0, mcp_ok: 0, mcp_401: 0 };
const svcSecret = `${canary}-svc-secret`;

class Clients {
  constructor() { this.clients = new Map(); }
  async getClient(id) { return this.clients.get(id); }
  async registerClient(client) {
    const registered = { ...client };
    if (registered.client_secret) registered.client_secret = `${canary}-secret-${randomUUID()}`;
    this.clients.set(registered.client_id, registered);
    return registered;
  }
}

class Provider {
  constructor() {
    this.clientsStore = new Clients();
    this.codes = new Map();
    this.access = new Map();
    this.refresh = new Map();
    this.revoked = false;
  }
  async authorize(client, params, res) {
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    target.searchParams.set('iss', issuer.href);
    res.redirect(target.toString());
  }
  async challengeForAuthorizationCode(client, code) {
    const data = this.codes.get(code);
    if (!data) throw new InvalidGrantError('unknown authorization code');
    return data.params.codeChallenge;
  }
  issue(clientId, scopes, resource) {
    const accessToken = `${canary}-access-${randomUUID()}`;
    const refreshToken = `${canary}-refresh-${randomUUID()}`;
    this.access.set(accessToken, { clientId, scopes, resource, expiresAt: Date.now() + accessTtl * 1000 });
    this.refresh.set(refreshToken, { clientId, scopes, resource });
    stats.issued++;
    return {
      access_token: accessToken, token_type: 'bearer', expires_in: accessTtl,
      refresh_token: refreshToken, refresh_token_expires_in: refreshTtl, scope: scopes.join(' '),
    };
  }
  async exchangeAuthorizationCode(client, code, _verifier, _redirectUri, resource) {
    const data = this.codes.get(code);
    if (!data || data.client.client_id !== client.client_id) throw new InvalidGrantError('bad code');
    this.codes.delete(code);
    return this.issue(client.client_id, data.params.scopes ?? [], resource?.href ?? data.params.resource?.href);
  }
  async exchangeRefreshToken(client, refreshToken, _scopes, resource) {
    const data = this.refresh.get(refreshToken);
    if (this.revoked || !data || data.clientId !== client.client_id) {
      stats.refused++;
      throw new InvalidGrantError('the refresh token is revoked or unknown');
    }
    this.refresh.delete(refreshToken);  // rotation: each refresh token works once
    stats.refreshed++;
    return this.issue(client.client_id, data.scopes, resource?.href ?? data.resource);
  }
  async verifyAccessToken(token) {
    const data = this.access.get(token);
    if (!data || data.expiresAt < Date.now()) throw new InvalidTokenError('the access token is expired or unknown');
    // Seconds with their fraction: requireBearerAuth compares with Date.now() / 1000, so a floored
    // value would end a token up to a second before ACCESS_TTL_SECONDS.
    return { token, clientId: data.clientId, scopes: data.scopes, expiresAt: data.expiresAt / 1000, resource: data.resource ? new URL(data.resource) : undefined };
  }
}

const provider = new Provider();
const limits = { rateLimit: false };
const asApp = express();
asApp.post('/token', express.urlencoded({ extended: false }), (req, res, next) => {
  if (req.body?.grant_type !== 'client_credentials') return next();
  let id = req.body.client_id;
  let secret = req.body.client_secret;
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    const [u, p] = Buffer.from(basic[1], 'base64').toString().split(':');
    id = decodeURIComponent(u);
    secret = decodeURIComponent(p ?? '');
  }
  res.setHeader('Cache-Control', 'no-store');
  if (id !== 'svc' || secret !== svcSecret) {
    res.status(401).json({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    return;
  }
  stats.client_credentials++;
  const accessToken = `${canary}-access-${randomUUID()}`;
  provider.access.set(accessToken, { clientId: 'svc', scopes: [], resource: req.body.resource, expiresAt: Date.now() + accessTtl * 1000 });
  res.json({ access_token: accessToken, token_type: 'bearer', expires_in: accessTtl });
});
asApp.use(mcpAuthRouter({
  provider, issuerUrl: issuer, scopesSupported: ['mcp:tools'],
  authorizationOptions: limits, tokenOptions: limits, clientRegistrationOptions: limits, revocationOptions: limits,
}));
const asServer = http.createServer(asApp);

function makeServer() {
  const server = new McpServer({ name: 'ts-sdk-oauth-echo', version: '1.32.2' });
  server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text: `echo: ${text}` }] }));
  return server;
}

const mcpApp = express();
mcpApp.use(express.json());
mcpApp.post('/control/revoke', (_req, res) => { provider.revoked = true; res.json({ revoked: true }); });
mcpApp.post('/control/stop-as', (_req, res) => {
  asServer.close();
  asServer.closeAllConnections();
  res.json({ stopped: true });
});
mcpApp.get('/control/stats', (_req, res) => res.json(stats));
mcpApp.use(mcpAuthMetadataRouter({
  oauthMetadata: createOAuthMetadata({ provider, issuerUrl: issuer, scopesSupported: ['mcp:tools'] }),
  resourceServerUrl: mcpUrl, scopesSupported: ['mcp:tools'],
}));
const bearer = requireBearerAuth({
  verifier: provider,
  resourceMetadataUrl: `http://127.0.0.1:${mcpPort}/.well-known/oauth-protected-resource/mcp`,
});
mcpApp.all('/mcp', (req, res, next) => {
  res.on('finish', () => { if (res.statusCode === 401) stats.mcp_401++; });
  next();
}, bearer, async (req, res) => {
  stats.mcp_ok++;
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  const server = makeServer();
  res.on('close', () => { transport.close(); server.close(); });
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

let up = 0;
const ready = () => { if (++up === 2) console.log(`listening ${mcpPort} ${asPort}`); };
asServer.listen(asPort, '127.0.0.1', ready);
http.createServer(mcpApp).listen(mcpPort, '127.0.0.1', ready);

// A real OpenID Provider for the tests: the certified `oidc-provider` package on 127.0.0.1.
//
//   node tests/oidc/provider.mjs '<config JSON>'
//
// config: {"port": 0, "clients": [client metadata...], "accounts": [{"sub", "email",
// "email_verified", "password"?, ...any other claims}], "claims": ["sourcedId", ...]}
// It prints one line `{"issuer": "http://127.0.0.1:PORT"}` once it listens.
//
// Signing in: the authorization endpoint sends the browser to /interaction/<uid>, a real HTML
// form (login, password, Sign in / Cancel) that a browser fills in and a test posts; a
// `login_hint` naming an account signs it in without the form. Consent is implied (the clients
// are the school's own). PKCE (S256) is required of every client.
//
// Test controls (JSON bodies, 127.0.0.1 only): POST /test/clients (client metadata),
// POST /test/accounts (an account), POST /test/id-token ({"claims": {...}, "shift": seconds,
// "key": "same"|"other"}: every later ID token from /token re-signed with those claims changed,
// its iat/exp moved by `shift`, signed with the provider's key or another one; {} to stop).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.OIDC_NODE_MODULES || path.join(here, '..', '..', 'pwa', 'node_modules');
const packageDir = path.join(modules, 'oidc-provider');
if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
  console.error(`oidc-provider is not installed in ${modules} (npm --prefix pwa ci)`);
  process.exit(3);
}
const { default: Provider } = await import(pathToFileURL(path.join(packageDir, 'lib', 'index.js')).href);
const { createMemoryAdapter } = await import(
  pathToFileURL(path.join(packageDir, 'lib', 'adapters', 'memory_adapter.js')).href
);

const config = JSON.parse(process.argv[2] || process.env.OIDC_TEST_CONFIG || '{}');
const accounts = new Map();
function addAccount(account) {
  if (!account || typeof account.sub !== 'string' || !account.sub) throw new Error('an account needs a sub');
  accounts.set(account.sub, account);
}
for (const account of config.accounts || []) addAccount(account);

function findByLogin(login) {
  if (typeof login !== 'string' || !login) return undefined;
  const wanted = login.trim().toLowerCase();
  for (const account of accounts.values()) {
    if (account.sub === login || (account.email || '').toLowerCase() === wanted) return account;
  }
  return undefined;
}

function newKey(kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, jwk: { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}
const signing = newKey('test-key-1');
// Same kid, another key: a token signed with it must fail the signature check.
const impostor = newKey('test-key-1');

// One in-memory store for the provider and for the clients the tests add.
const adapter = createMemoryAdapter();

const extraClaims = config.claims || ['sourcedId'];
const standard = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'hd'];

async function addClient(metadata) {
  const client = { grant_types: ['authorization_code'], response_types: ['code'], ...metadata };
  if (typeof client.client_id !== 'string') throw new Error('a client needs a client_id');
  // The provider's own store: clients found there are read on every use, so they can be added live.
  await adapter('Client').upsert(client.client_id, client);
}

const port = Number(config.port || 0);
const server = http.createServer();
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  adapter,
  jwks: { keys: [signing.jwk] },
  claims: { openid: ['sub', ...extraClaims], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'hd'] },
  // Claims in the ID token itself, as Google, Entra ID and ClassLink put them there.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  async findAccount(_ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id };
        for (const [name, value] of Object.entries(account)) {
          if (name !== 'password' && (standard.includes(name) || extraClaims.includes(name))) claims[name] = value;
        }
        return claims;
      },
    };
  },
  // The clients are the school's own: a grant of the scopes asked for is implied (no consent page).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    await grant.save();
    return grant;
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
});
for (const client of config.clients || []) await addClient(client);
// Say why a request failed: the test's output is where a developer looks.
for (const event of ['authorization.error', 'grant.error', 'server_error', 'userinfo.error']) {
  provider.on(event, (_ctx, error) => console.error(`${event}: ${error.message} ${error.error_detail || ''}`));
}

let tokenChange = null;

function b64(data) {
  return Buffer.from(data).toString('base64url');
}

function resign(idToken) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  Object.assign(claims, tokenChange.claims || {});
  if (tokenChange.shift) {
    for (const name of ['iat', 'exp', 'auth_time']) if (typeof claims[name] === 'number') claims[name] += tokenChange.shift;
  }
  const input = `${header}.${b64(JSON.stringify(claims))}`;
  const key = tokenChange.key === 'other' ? impostor.privateKey : signing.privateKey;
  return `${input}.${b64(crypto.sign('sha256', Buffer.from(input), key))}`;
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1>${body}</body></html>`;
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginForm(uid, problem, login) {
  return page('Sign in to the test provider', `
${problem ? `<p role="alert">${escape(problem)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
  <label>Email or username <input name="login" autocomplete="username" value="${escape(login || '')}" autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

async function interaction(req, res, url) {
  const [, , uid, action] = url.pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, 'text/plain', 'wrong interaction');
  if (req.method === 'GET' && !action) {
    if (details.prompt.name === 'login') {
      const hinted = findByLogin(details.params.login_hint);
      if (hinted) {
        return provider.interactionFinished(req, res, { login: { accountId: hinted.sub } }, { mergeWithLastSubmission: false });
      }
      return send(res, 200, 'text/html; charset=utf-8', loginForm(uid));
    }
    // Consent: implied for the school's own clients.
    const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope || 'openid');
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  if (req.method === 'POST' && action === 'login') {
    const form = new URLSearchParams(await readBody(req));
    const account = findByLogin(form.get('login'));
    if (!account || (account.password !== undefined && account.password !== form.get('password'))) {
      return send(res, 200, 'text/html; charset=utf-8', loginForm(uid, 'Unknown login or wrong password.', form.get('login')));
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'abort') {
    return provider.interactionFinished(
      req, res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  }
  return send(res, 404, 'text/plain', 'not found');
}

async function control(req, res, url) {
  let body;
  try {
    body = JSON.parse((await readBody(req)) || '{}');
    if (url.pathname === '/test/clients') await addClient(body);
    else if (url.pathname === '/test/accounts') addAccount(body);
    else if (url.pathname === '/test/id-token') tokenChange = Object.keys(body).length ? body : null;
    else return send(res, 404, 'application/json', '{"error":"not_found"}');
  } catch (error) {
    return send(res, 400, 'application/json', JSON.stringify({ error: String(error.message || error) }));
  }
  return send(res, 200, 'application/json', '{"ok":true}');
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res, url);
    if (url.pathname.startsWith('/test/') && req.method === 'POST') return await control(req, res, url);
    if (url.pathname === '/token' && req.method === 'POST' && tokenChange) {
      // Rewrite the ID token of the answer just before it leaves: what a forged or broken
      // provider would send, over the real protocol.
      const end = res.end.bind(res);
      res.end = (chunk, ...rest) => {
        if (chunk && res.statusCode === 200) {
          const answer = JSON.parse(Buffer.from(chunk).toString());
          if (answer.id_token) answer.id_token = resign(answer.id_token);
          chunk = JSON.stringify(answer);
          res.setHeader('content-length', Buffer.byteLength(chunk));
        }
        return end(chunk, ...rest);
      };
    }
    return callback(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) send(res, 500, 'text/plain', String(error.message || error));
    else res.end();
  }
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
console.log(JSON.stringify({ issuer }));

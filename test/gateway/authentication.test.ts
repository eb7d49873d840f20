/** Who may call the gateway: JWTs from a JWKS provider, partner API keys made with `npm run apikey`, and nobody else. */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { listen } from '../../lib/listen';
import { insertCustomer } from '../support/fixtures';
import { dataOf, errorCodes } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

const ROOT = join(__dirname, '../..');

describe('partner API keys', () => {
  let stack: TestStack;
  let id: string;
  beforeAll(async () => {
    stack = await startStack('apikeys');
    id = await insertCustomer(stack.db, { name: 'Partner Visible', phone: '+8613800138009', tags: ['vip'] });
  });
  afterAll(() => stack?.stop());

  // Asynchronous on purpose: the gateway runs in this process and must keep answering meanwhile.
  const apikey = (...args: string[]): Promise<{ status: number; stdout: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'tools/apikey.ts', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, MONGODB_URI: stack.mongodbUri, NODE_ENV: 'test' } }, (error, stdout) =>
        resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
      );
    });

  it('authenticates a key as a partner of its tenant, and stops when the key is revoked', async () => {
    const created = await apikey('create', '--tenant', 'acme', '--name', 'Test partner');
    expect(created.status).toBe(0);
    const key = /^(cgk_\S+)$/m.exec(created.stdout)![1];
    const keyId = key.split('_')[1];
    const headers = { 'x-api-key': key, 'x-device-id': 'partner-server' };

    const view = dataOf(await stack.request(headers, `query($id: ID!) { me { id tenant roles deviceId } customer(id: $id) { name marketing { tags } } }`, { id }));
    expect(view).toEqual({ me: { id: `apikey:${keyId}`, tenant: 'acme', roles: ['partner'], deviceId: 'partner-server' }, customer: { name: 'Partner Visible', marketing: { tags: ['vip'] } } });
    const pii = await stack.request(headers, `query($id: ID!) { customer(id: $id) { phone } }`, { id });
    expect(pii.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', fields: ['Customer.phone'] });
    const write = await stack.request(headers, `mutation { createCustomer(input: {name: "Nope"}) { id } }`);
    expect(errorCodes(write)).toEqual(['FORBIDDEN']);

    expect((await apikey('list', '--tenant', 'acme')).stdout).toMatch(new RegExp(`${keyId}\\s+acme\\s+active`));
    expect((await apikey('revoke', keyId)).status).toBe(0);
    const revoked = await stack.request(headers, `{ me { id } }`);
    expect(revoked.status).toBe(401);
    expect(errorCodes(revoked)).toEqual(['UNAUTHENTICATED']);
    expect((await apikey('revoke', keyId)).status).toBe(1);
  });

  it('serves automatic persisted queries to partners (hash first, query once)', async () => {
    const key = /^(cgk_\S+)$/m.exec((await apikey('create', '--tenant', 'acme', '--name', 'APQ partner')).stdout)![1];
    const query = `query PartnerList { customers(first: 1) { totalCount } }`;
    const sha256Hash = require('node:crypto').createHash('sha256').update(query).digest('hex');
    const send = (body: Record<string, unknown>) =>
      fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    expect((await send({ extensions })).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await send({ query, extensions })).data.customers.totalCount).toBeGreaterThan(0);
    expect((await send({ extensions })).data.customers.totalCount).toBeGreaterThan(0);
  });

  it('restricts a safelisted key to its registered operations', async () => {
    const created = (await apikey('create', '--tenant', 'acme', '--name', 'Safelisted partner')).stdout;
    const key = /^(cgk_\S+)$/m.exec(created)![1];
    const keyId = key.split('_')[1];
    const dir = require('node:fs').mkdtempSync(join(require('node:os').tmpdir(), 'cg-safelist-'));
    const registered = join(dir, 'list.graphql');
    require('node:fs').writeFileSync(registered, 'query PartnerNames { customers(first: 5) { edges { node { name } } } }\n');
    expect((await apikey('safelist', keyId, '--add', registered)).status).toBe(0);
    const headers = { 'x-api-key': key };
    expect((await stack.request(headers, 'query PartnerNames { customers(first: 5) { edges { node { name } } } }')).errors).toBeUndefined();
    const other = await stack.request(headers, '{ me { id } }');
    expect(other.status).toBe(403);
    expect(other.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await apikey('safelist', keyId, '--clear')).status).toBe(0);
    expect(dataOf(await stack.request(headers, '{ me { roles } }'))).toEqual({ me: { roles: ['partner'] } });
  });

  it('refuses a made-up key', async () => {
    const result = await stack.request({ 'x-api-key': 'cgk_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }, `{ me { id } }`);
    expect(result.status).toBe(401);
    expect(errorCodes(result)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('tokens from an identity provider (JWKS)', () => {
  let stack: TestStack;
  let jwks: Server;
  let es: KeyLike;
  let rs: KeyLike;

  beforeAll(async () => {
    const esPair = await generateKeyPair('ES256');
    const rsPair = await generateKeyPair('RS256');
    es = esPair.privateKey as KeyLike;
    rs = rsPair.privateKey as KeyLike;
    const keys = [
      { ...(await exportJWK(esPair.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(rsPair.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
    ];
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    const port = await listen(jwks, 0, '127.0.0.1');
    stack = await startStack('jwks', { gateway: { jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`, jwtIssuer: 'https://id.acme.test', jwtAudience: 'customer-graph' } });
  });
  afterAll(async () => {
    await stack?.stop();
    jwks?.close();
  });

  const issue = (key: KeyLike, alg: string, kid: string, claims: Record<string, unknown> = {}) =>
    new SignJWT({ tenant: 'acme', roles: ['manager'], ...claims })
      .setProtectedHeader({ alg, kid })
      .setSubject('mgr-1')
      .setIssuer('https://id.acme.test')
      .setAudience('customer-graph')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);

  it('accepts ES256 and RS256 tokens signed by the provider', async () => {
    for (const token of [await issue(es, 'ES256', 'es-1'), await issue(rs, 'RS256', 'rs-1')]) {
      expect(dataOf(await stack.query(token, `{ me { id roles } }`))).toEqual({ me: { id: 'mgr-1', roles: ['manager'] } });
    }
  });

  it('refuses HS256 tokens, other issuers and keys it does not publish', async () => {
    const stranger = (await generateKeyPair('ES256')).privateKey as KeyLike;
    const hs = stack.token('admin');
    const otherIssuer = await new SignJWT({ tenant: 'acme', roles: ['admin'] }).setProtectedHeader({ alg: 'ES256', kid: 'es-1' }).setSubject('x').setIssuer('https://evil.test').setAudience('customer-graph').setExpirationTime('10m').sign(es);
    for (const token of [hs, otherIssuer, await issue(stranger, 'ES256', 'es-1')]) {
      const result = await stack.query(token, `{ me { id } }`);
      expect({ status: result.status, codes: errorCodes(result) }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    }
  });
});

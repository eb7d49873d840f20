/**
 * The live console at `/`: one HTML page, a stylesheet and a script bundle (console/src, bundled
 * by esbuild). `npm run build` writes the bundle next to the page (dist/console/app.js); from a
 * source checkout the gateway bundles it in memory on first request.
 *
 * Outside production the console can mint development tokens (`POST /console/token`) so a person
 * can pick a role, user and tenant; in production it only accepts a pasted token or partner key.
 */
import express, { type Router } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRole, type Role } from '../lib/caller';
import { signToken } from '../lib/token';
import { bundleConsole } from '../tools/bundleConsole';

/** Where the page lives: `console/` beside `gateway/` (source checkout and dist alike). */
const CONSOLE_DIR = join(__dirname, '../console');
const DEV_TOKEN_HOURS = 8;
const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SUB_PATTERN = /^[\w.@-]{1,64}$/;
/** The page loads only its own script and style and talks only to this gateway (HTTP and WebSocket). */
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'";

export interface ConsoleOptions {
  /** HS256 secret for development tokens; without it `POST /console/token` answers 404. */
  readonly devTokenSecret?: string;
}

/** Routes for `/` and `/console/*`. */
export function createConsoleRouter(options: ConsoleOptions): Router {
  const router = express.Router();
  const bundle = lazyBundle();
  router.get('/', (_req, res) => {
    res.type('html').set({ 'cache-control': 'no-cache', 'content-security-policy': CSP }).sendFile(join(CONSOLE_DIR, 'index.html'));
  });
  router.get('/console/console.css', (_req, res) => {
    res.type('css').set('cache-control', 'no-cache').sendFile(join(CONSOLE_DIR, 'console.css'));
  });
  router.get('/console/app.js', async (_req, res, next) => {
    try {
      res.type('js').set('cache-control', 'no-cache').send(await bundle());
    } catch (error) {
      next(error);
    }
  });
  router.get('/console/config.json', (_req, res) => {
    res.json({ devTokens: Boolean(options.devTokenSecret) });
  });
  router.post('/console/token', express.json({ limit: 4096 }), (req, res) => {
    if (!options.devTokenSecret) {
      res.status(404).json({ error: 'Development tokens are off on this gateway: paste a token or a partner key' });
      return;
    }
    const identity = parseIdentity(req.body);
    if (typeof identity === 'string') {
      res.status(400).json({ error: identity });
      return;
    }
    res.json({ token: signToken(identity, options.devTokenSecret, DEV_TOKEN_HOURS * 3600) });
  });
  return router;
}

/** Checks a `{role, sub, tenant}` body; returns the claims or what is wrong with them. */
export function parseIdentity(body: unknown): { sub: string; tenant: string; roles: Role[] } | string {
  const { role, sub, tenant } = (body ?? {}) as Record<string, unknown>;
  if (!isRole(role)) return 'role must be one of admin, manager, sales, service, marketing, partner';
  if (typeof sub !== 'string' || !SUB_PATTERN.test(sub)) return 'user must be 1 to 64 letters, digits or . _ @ -';
  if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant)) return 'tenant must be lower-case letters, digits, _ or - (at most 64)';
  return { sub, tenant, roles: [role] };
}

/** The built bundle when there is one, else an in-memory esbuild bundle of console/src (made once). */
function lazyBundle(): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= loadBundle().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function loadBundle(): Promise<string> {
  const built = join(CONSOLE_DIR, 'app.js');
  if (existsSync(built)) return readFileSync(built, 'utf8');
  return bundleConsole();
}

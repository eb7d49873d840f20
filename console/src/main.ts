/**
 * The live console: sign in as a development identity (or with a pasted token or partner key),
 * page through customers, open one, edit it with optimistic locking, and watch every change arrive
 * live with who made it and on which device.
 */
import { FieldAccess, graphql, RequestError, type Session } from './api';
import { resolveConflict, type Conflict } from './conflict';
import { changedInput, editableFields, renderDetail, type DetailData, type EditState } from './detail';
import { byId, clock, h, replaceChildren } from './dom';
import { changesSubscription, CORE_FIELDS, customerQuery, customerSubscription, display, LIST_FIELDS, listQuery, probeQuery, STAGES, UPDATE_CUSTOMER } from './fields';
import { startLive, type ConnectionState, type CustomerChange, type Live } from './live';
import type { GraphQLErrorShape } from './api';

const PAGE_SIZE = 15;
const ACTIVITY_LIMIT = 20;
const ROLES = ['admin', 'manager', 'sales', 'service', 'marketing', 'partner'] as const;
const LABELS = Object.fromEntries(CORE_FIELDS.map((spec) => [spec.select, spec.label]));

interface Page {
  readonly rows: Array<Record<string, any>>;
  readonly totalCount: number;
  readonly hasNext: boolean;
  readonly endCursor: string | null;
}

const state: {
  session?: Session;
  access: FieldAccess;
  live?: Live;
  /** The newest cursor seen on the tenant stream: where a newly opened customer's stream starts. */
  lastCursor: string | null;
  /** Ends the open customer's stream. */
  stopDetailStream?: () => void;
  filter: { search?: string; stage?: string };
  /** `after` of each page visited so far; the last one is the page shown. */
  pageStarts: Array<string | null>;
  page?: Page;
  openId?: string;
  detail?: DetailData;
  edit?: EditState;
} = { access: new FieldAccess(), filter: {}, pageStarts: [null], lastCursor: null };

function deviceId(): string {
  let id = localStorage.getItem('cg-device-id');
  if (!id) {
    id = `console-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem('cg-device-id', id);
  }
  return id;
}

function setConnection(connection: ConnectionState, detail?: string): void {
  const badge = byId('connection');
  badge.dataset.state = connection;
  badge.textContent = connection;
  badge.title = detail ?? '';
  if (detail) flash(detail);
}

function flash(message: string, kind: 'info' | 'error' = 'info'): void {
  const box = byId('message');
  box.textContent = message;
  box.dataset.kind = kind;
}

// ---- signing in ----------------------------------------------------------------------------

async function signInAsDev(role: string, sub: string, tenant: string): Promise<void> {
  const response = await fetch('/console/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role, sub, tenant }) });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!body.token) throw new RequestError(body.error ?? `HTTP ${response.status}`, 'BAD_USER_INPUT');
  await signIn({ label: `${sub} (${role}) @ ${tenant}`, token: body.token, deviceId: deviceId() });
}

async function signInWithCredential(credential: string): Promise<void> {
  const value = credential.trim();
  const isJwt = /^[\w-]+\.[\w-]+\.[\w-]+$/.test(value);
  await signIn({ label: isJwt ? 'pasted token' : 'partner key', ...(isJwt ? { token: value } : { apiKey: value }), deviceId: deviceId() });
}

async function signIn(session: Session): Promise<void> {
  state.live?.stop();
  state.stopDetailStream = undefined;
  const me = await graphql<{ me: { id: string; tenant: string; roles: string[]; writableFields: string[] } }>(session, 'query ConsoleMe { me { id tenant roles writableFields } }');
  const viewer = me.data!.me;
  state.access = new FieldAccess(viewer.writableFields);
  state.session = { ...session, label: `${viewer.id} · ${viewer.roles.join(', ')} · ${viewer.tenant}` };
  sessionStorage.setItem('cg-session', JSON.stringify(state.session));
  byId('who').textContent = `${state.session.label} · device ${session.deviceId}`;
  document.body.dataset.signedIn = 'true';
  Object.assign(state, { openId: undefined, detail: undefined, edit: undefined, pageStarts: [null] });
  replaceChildren(byId('detail'), h('p', { class: 'muted' }, 'Open a customer from the list.'));
  replaceChildren(byId('activity-list'));
  // One probe learns every field this identity may never read, so later queries ask only for the rest.
  await state.access.run(session, probeQuery);
  const latest = await graphql<{ latestChangeCursor: string | null }>(session, 'query ConsoleLatest { latestChangeCursor }');
  state.lastCursor = latest.data?.latestChangeCursor ?? null;
  state.live = startLive(state.session, setConnection);
  state.live.stream({ query: changesSubscription(state.access), after: state.lastCursor, onChange });
  await loadPage();
  flash(`Signed in as ${state.session.label}`);
}

// ---- the list ------------------------------------------------------------------------------

async function loadPage(): Promise<void> {
  const session = state.session!;
  const after = state.pageStarts[state.pageStarts.length - 1];
  const filter = Object.fromEntries(Object.entries(state.filter).filter(([, v]) => v));
  const result = await state.access.run<{ customers: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: Record<string, any> }> } }>(session, listQuery, { first: PAGE_SIZE, after, filter });
  const connection = result.data!.customers;
  state.page = { rows: connection.edges.map((edge) => edge.node), totalCount: connection.totalCount, hasNext: connection.pageInfo.hasNextPage, endCursor: connection.pageInfo.endCursor };
  renderList();
}

function renderList(): void {
  const page = state.page!;
  const columns = LIST_FIELDS.filter((spec) => !state.access.isNeverReadable(spec.key));
  const first = (state.pageStarts.length - 1) * PAGE_SIZE;
  replaceChildren(
    byId('list-body'),
    ...page.rows.map((row) =>
      h(
        'tr',
        { dataset: { id: row.id }, class: row.id === state.openId ? 'selected' : undefined, onclick: () => void openCustomer(row.id).catch(showError) },
        ...columns.map((spec) => h('td', { dataset: { field: spec.select } }, display(row[spec.select]))),
      ),
    ),
  );
  replaceChildren(byId('list-head'), h('tr', {}, ...columns.map((spec) => h('th', {}, spec.label))));
  byId('page-info').textContent = page.totalCount === 0 ? 'No customers' : `${first + 1}–${first + page.rows.length} of ${page.totalCount}`;
  byId<HTMLButtonElement>('prev').disabled = state.pageStarts.length <= 1;
  byId<HTMLButtonElement>('next').disabled = !page.hasNext;
}

// ---- one customer --------------------------------------------------------------------------

async function openCustomer(id: string): Promise<void> {
  if (state.edit && state.openId !== id && Object.keys(changedInput(state.edit)).length > 0 && !confirm('Discard your unsaved edit?')) return;
  state.openId = id;
  state.edit = undefined;
  // The customer's own stream pushes it whole after every change; it starts at a cursor no later
  // than the fetch below, so no change can fall in between (one seen twice just redraws).
  state.stopDetailStream?.();
  state.stopDetailStream = state.live?.stream({ query: customerSubscription(state.access), variables: { ids: [id] }, after: state.lastCursor, onChange: onCustomerChange });
  await refreshDetail();
  renderList();
}

async function refreshDetail(): Promise<void> {
  const id = state.openId;
  if (!id) return;
  const result = await state.access.run<{ customer: Record<string, any> | null }>(state.session!, customerQuery, { id });
  if (id !== state.openId) return;
  if (!result.data?.customer) {
    state.detail = undefined;
    replaceChildren(byId('detail'), h('p', { class: 'muted' }, 'This customer is gone (merged or not visible).'));
    return;
  }
  // The customer's stream may already have drawn something newer than this answer.
  if (state.detail?.customer.id === id && versionSum(state.detail.customer) > versionSum(result.data.customer)) return;
  state.detail = { customer: result.data.customer, errors: result.errors ?? [] };
  if (!state.edit) drawDetail();
}

/** Each owner's version only grows, so their sum orders two reads of one customer. */
function versionSum(customer: Record<string, any>): number {
  return (customer.version ?? 0) + (customer.service?.version ?? 0) + (customer.marketing?.version ?? 0);
}

function drawDetail(): void {
  if (!state.detail) return;
  renderDetail(byId('detail'), state.detail, state.access, state.edit, { onEdit: startEdit, onCancel: cancelEdit, onSave: () => void save().catch(showError) });
}

function startEdit(): void {
  const { customer } = state.detail!;
  const base = Object.fromEntries(editableFields(state.detail!, state.access).map((spec) => [spec.select, customer[spec.select] ?? null]));
  state.edit = { baseVersion: customer.version, base, values: { ...base } };
  drawDetail();
}

function cancelEdit(): void {
  state.edit = undefined;
  void refreshDetail().catch(showError);
}

async function save(): Promise<void> {
  const edit = state.edit!;
  const input = changedInput(edit);
  if (Object.keys(input).length === 0) return cancelEdit();
  await submit(edit.baseVersion, input);
}

/** Sends an update; on VERSION_CONFLICT asks the person, then sends the merged proposal at the current version. */
async function submit(expectedVersion: number, input: Record<string, unknown>): Promise<void> {
  const edit = state.edit!;
  edit.saving = true;
  edit.error = undefined;
  drawDetail();
  try {
    await graphql(state.session!, UPDATE_CUSTOMER, { id: state.openId, expectedVersion, input, clientMutationId: crypto.randomUUID() });
    state.edit = undefined;
    flash(`Saved ${Object.keys(input).join(', ')}`);
    await refreshDetail();
  } catch (error) {
    edit.saving = false;
    if (!(error instanceof RequestError) || error.code !== 'VERSION_CONFLICT') {
      edit.error = error instanceof Error ? `${error.message}${error instanceof RequestError ? ` (${error.code})` : ''}` : String(error);
      drawDetail();
      return;
    }
    const choice = await resolveConflict(error.extensions as unknown as Conflict, input, LABELS);
    const conflict = error.extensions as unknown as Conflict;
    if (choice.action === 'save' && Object.keys(choice.input).length > 0) return submit(conflict.currentVersion, choice.input);
    if (choice.action === 'keep-editing') {
      drawDetail();
      return;
    }
    state.edit = undefined;
    flash(choice.action === 'save' ? 'Kept their values' : 'Discarded my changes');
    await refreshDetail();
  }
}

// ---- live ----------------------------------------------------------------------------------

function onChange(change: CustomerChange): void {
  state.lastCursor = change.cursor;
  addActivity(change);
  const row = state.page?.rows.find((r) => r.id === change.customerId);
  if (row && change.customer) {
    Object.assign(row, change.customer);
    renderList();
    document.querySelector(`#list-body tr[data-id="${CSS.escape(change.customerId)}"]`)?.classList.add('changed');
  }
}

/** A change of the open customer, with the customer as it is now. */
function onCustomerChange(change: CustomerChange, errors: readonly GraphQLErrorShape[]): void {
  if (change.customerId !== state.openId) return;
  if (!change.customer) {
    state.detail = undefined;
    replaceChildren(byId('detail'), h('p', { class: 'muted' }, 'This customer is gone (merged or no longer visible).'));
    return;
  }
  state.detail = { customer: change.customer, errors };
  if (state.edit) {
    state.edit.notice = `${change.actor}${change.deviceId ? ` on ${change.deviceId}` : ''} changed ${change.changedFields.join(', ')} while you were editing (${change.source} v${change.version}). Saving merges your changes or shows the conflict.`;
  }
  drawDetail();
}

function addActivity(change: CustomerChange): void {
  const list = byId('activity-list');
  const name = (change.customer?.name as string | undefined) ?? change.customerId;
  list.prepend(
    h(
      'li',
      { dataset: { cursor: change.cursor, customerId: change.customerId } },
      h('time', {}, clock(change.at)),
      ' ',
      h('b', { class: 'actor' }, change.actor),
      h('span', { class: 'device' }, change.deviceId ? ` on ${change.deviceId}` : ' (no device)'),
      ` changed ${change.changedFields.join(', ')} of `,
      h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), void openCustomer(change.customerId).catch(showError)) }, name),
      h('small', {}, ` · ${change.source} v${change.version}`),
    ),
  );
  while (list.children.length > ACTIVITY_LIMIT) list.lastElementChild!.remove();
}

// ---- wiring --------------------------------------------------------------------------------

function showError(error: unknown): void {
  flash(error instanceof RequestError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error), 'error');
}

function wire(devTokens: boolean): void {
  const role = byId<HTMLSelectElement>('role');
  replaceChildren(role, ...ROLES.map((r) => h('option', { value: r }, r)));
  const user = byId<HTMLInputElement>('user');
  role.addEventListener('change', () => {
    user.value = role.value === 'sales' ? 'sales-1' : `${role.value}-1`;
  });
  byId('dev-identity').hidden = !devTokens;
  byId('identity').addEventListener('submit', (event) => {
    event.preventDefault();
    void signInAsDev(role.value, user.value.trim(), byId<HTMLInputElement>('tenant').value.trim()).catch(showError);
  });
  byId('credential-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signInWithCredential(byId<HTMLTextAreaElement>('credential').value).catch(showError);
  });
  let searchTimer: number | undefined;
  byId('search').addEventListener('input', (event) => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      state.filter.search = (event.target as HTMLInputElement).value.trim();
      state.pageStarts = [null];
      if (state.session) void loadPage().catch(showError);
    }, 250);
  });
  const stage = byId<HTMLSelectElement>('stage');
  replaceChildren(stage, h('option', { value: '' }, 'any stage'), ...STAGES.map((s) => h('option', { value: s }, s)));
  stage.addEventListener('change', () => {
    state.filter.stage = stage.value;
    state.pageStarts = [null];
    if (state.session) void loadPage().catch(showError);
  });
  byId('next').addEventListener('click', () => {
    state.pageStarts.push(state.page!.endCursor);
    void loadPage().catch(showError);
  });
  byId('prev').addEventListener('click', () => {
    state.pageStarts.pop();
    void loadPage().catch(showError);
  });
}

async function boot(): Promise<void> {
  const config = (await fetch('/console/config.json').then((r) => r.json())) as { devTokens: boolean };
  wire(config.devTokens);
  setConnection('offline');
  const saved = sessionStorage.getItem('cg-session');
  if (saved) await signIn(JSON.parse(saved) as Session);
}

boot().catch(showError);

/**
 * One customer as the signed-in identity may see it: the sales core, the service and marketing
 * profiles and recent history. A field the identity may never read, or may not read on this
 * record, is shown as locked (not left out); a subgraph that is down is shown as unavailable.
 * Editing sends only the changed fields with the version the edit started from.
 */
import { errorAt, type FieldAccess, type GraphQLErrorShape } from './api';
import { clock, h, replaceChildren, type Child } from './dom';
import { CORE_FIELDS, display, MARKETING_FIELDS, SERVICE_FIELDS, STAGES, type FieldSpec } from './fields';

export type Customer = Record<string, any>;

export interface DetailData {
  readonly customer: Customer;
  readonly errors: readonly GraphQLErrorShape[];
}

export interface EditState {
  readonly baseVersion: number;
  readonly base: Readonly<Record<string, unknown>>;
  readonly values: Record<string, unknown>;
  notice?: string;
  error?: string;
  saving?: boolean;
}

export interface DetailHandlers {
  readonly onEdit: () => void;
  readonly onCancel: () => void;
  readonly onSave: () => void;
}

/** Fields of the sales core the form edits: ones this identity may write and can read on this record. */
export function editableFields(data: DetailData, access: FieldAccess): FieldSpec[] {
  return CORE_FIELDS.filter((spec) => spec.editor && access.mayWrite(spec.key) && !access.isNeverReadable(spec.key) && !errorAt(data.errors, ['customer', spec.select]));
}

/** The changed fields of an edit, as `UpdateCustomerInput`. */
export function changedInput(edit: EditState): Record<string, unknown> {
  return Object.fromEntries(Object.entries(edit.values).filter(([field, value]) => value !== edit.base[field]));
}

/** Renders the customer (and the form when editing) into `root`. */
export function renderDetail(root: HTMLElement, data: DetailData, access: FieldAccess, edit: EditState | undefined, handlers: DetailHandlers): void {
  const { customer, errors } = data;
  const canEdit = customer.version !== undefined && editableFields(data, access).length > 0;
  replaceChildren(
    root,
    h(
      'article',
      { id: 'customer', dataset: { id: customer.id, version: String(customer.version ?? '') } },
      h(
        'header',
        {},
        h('h2', {}, customer.name ?? customer.id),
        customer.version !== undefined ? h('span', { class: 'version', id: 'customer-version' }, `v${customer.version}`) : null,
        canEdit && !edit ? h('button', { id: 'edit', onclick: handlers.onEdit }, 'Edit') : null,
      ),
      edit ? renderForm(data, access, edit, handlers) : null,
      h('section', { class: 'owner sales' }, h('h3', {}, 'Sales'), fieldList(CORE_FIELDS, customer, ['customer'], errors, access)),
      profile('Service', 'service', SERVICE_FIELDS, customer, errors, access),
      profile('Marketing', 'marketing', MARKETING_FIELDS, customer, errors, access),
      history(customer, access),
    ),
  );
}

function profile(title: string, name: string, specs: readonly FieldSpec[], customer: Customer, errors: readonly GraphQLErrorShape[], access: FieldAccess): HTMLElement {
  const body = customer[name];
  const failure = errorAt(errors, ['customer', name]);
  let content: Child;
  if (specs.every((spec) => access.isNeverReadable(spec.key))) content = locked('Not visible to your role');
  else if (failure) content = h('p', { class: failure.extensions?.code === 'FORBIDDEN' ? 'forbidden' : 'unavailable' }, failure.extensions?.code === 'FORBIDDEN' ? 'Not visible for this customer' : `${name} is unavailable right now`);
  else if (!body) content = h('p', { class: 'muted' }, 'No profile yet');
  else content = fieldList(specs, body, ['customer', name], errors, access);
  return h('section', { class: `owner ${name}` }, h('h3', {}, title, body?.version !== undefined ? h('span', { class: 'version' }, ` v${body.version}`) : null), content);
}

function fieldList(specs: readonly FieldSpec[], record: Customer, path: string[], errors: readonly GraphQLErrorShape[], access: FieldAccess): HTMLElement {
  return h(
    'dl',
    {},
    ...specs.flatMap((spec) => {
      const name = spec.key.split('.')[1];
      return [h('dt', {}, spec.label), value(spec, name, record, [...path, name], errors, access)];
    }),
  );
}

function value(spec: FieldSpec, name: string, record: Customer, path: string[], errors: readonly GraphQLErrorShape[], access: FieldAccess): HTMLElement {
  if (access.isNeverReadable(spec.key)) return h('dd', { class: 'forbidden', dataset: { field: name }, title: `FORBIDDEN: your role may not read ${spec.key}` }, 'forbidden');
  const error = errorAt(errors, path);
  if (error?.extensions?.code === 'FORBIDDEN') return h('dd', { class: 'forbidden', dataset: { field: name }, title: error.message }, 'not for this customer');
  if (error) return h('dd', { class: 'unavailable', dataset: { field: name }, title: error.message }, `unavailable (${error.extensions?.code ?? 'error'})`);
  const raw = record[name];
  if (name === 'tickets' && Array.isArray(raw)) {
    return h('dd', { dataset: { field: name } }, raw.length ? h('ul', { class: 'tickets' }, ...raw.map((t) => h('li', {}, h('span', { class: `status ${String(t.status).toLowerCase()}` }, t.status), ` ${t.subject} `, h('small', {}, t.priority)))) : '—');
  }
  const shown = /At$/.test(name) && typeof raw === 'string' ? new Date(raw).toLocaleString() : display(raw);
  return h('dd', { dataset: { field: name } }, shown);
}

function history(customer: Customer, access: FieldAccess): HTMLElement | null {
  if (access.isNeverReadable('Customer.history')) return h('section', { class: 'history' }, h('h3', {}, 'History'), locked('Not visible to your role'));
  const revisions: Customer[] | null | undefined = customer.history;
  if (!revisions) return h('section', { class: 'history' }, h('h3', {}, 'History'), locked('Not visible for this customer'));
  return h(
    'section',
    { class: 'history' },
    h('h3', {}, 'History'),
    revisions.length === 0 ? h('p', { class: 'muted' }, 'No revisions yet') : h('ol', {}, ...revisions.map((r) => h('li', {}, h('b', {}, `v${r.version}`), ` ${r.changedFields.join(', ')} by ${r.actor}`, r.deviceId ? ` on ${r.deviceId}` : '', h('time', {}, ` ${clock(r.at)}`)))),
  );
}

function locked(text: string): HTMLElement {
  return h('p', { class: 'forbidden' }, text);
}

function renderForm(data: DetailData, access: FieldAccess, edit: EditState, handlers: DetailHandlers): HTMLElement {
  const fields = editableFields(data, access);
  return h(
    'form',
    {
      id: 'edit-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        handlers.onSave();
      },
    },
    h('p', { class: 'muted' }, `Editing from version ${edit.baseVersion}`),
    edit.notice ? h('p', { class: 'notice', id: 'edit-notice' }, edit.notice) : null,
    ...fields.map((spec) => {
      const name = spec.select;
      return h('label', {}, h('span', {}, spec.label), input(spec, name, edit));
    }),
    edit.error ? h('p', { class: 'error', id: 'edit-error', role: 'alert' }, edit.error) : null,
    h('menu', {}, h('button', { type: 'submit', class: 'primary', id: 'save', disabled: edit.saving }, edit.saving ? 'Saving…' : 'Save'), h('button', { type: 'button', id: 'cancel', onclick: handlers.onCancel }, 'Cancel')),
  );
}

function input(spec: FieldSpec, name: string, edit: EditState): HTMLElement {
  const current = edit.values[name];
  const set = (value: unknown): void => {
    edit.values[name] = value;
  };
  if (spec.editor === 'stage') {
    return h('select', { name, onchange: (e: Event) => set((e.target as HTMLSelectElement).value) }, ...STAGES.map((stage) => h('option', { value: stage, selected: stage === current }, stage)));
  }
  return h('input', {
    name,
    type: spec.editor === 'number' ? 'number' : 'text',
    step: spec.editor === 'number' ? 'any' : undefined,
    value: current === null || current === undefined ? '' : String(current),
    oninput: (e: Event) => {
      const text = (e.target as HTMLInputElement).value;
      set(text.trim() === '' ? null : spec.editor === 'number' ? Number(text) : text);
    },
  });
}

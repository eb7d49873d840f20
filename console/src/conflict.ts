/**
 * The VERSION_CONFLICT dialog: for each field someone else changed since this edit began it shows
 * mine and theirs side by side and lets the person pick; the merged proposal (my other changes plus
 * the picks) updates as they choose, and is what "Save merged" sends at the current version.
 */
import { byId, h, replaceChildren } from './dom';
import { display } from './fields';

export interface Conflict {
  readonly currentVersion: number;
  readonly conflictingFields: readonly string[];
  readonly current: Readonly<Record<string, unknown>>;
}

export type ConflictChoice = { action: 'save'; input: Record<string, unknown> } | { action: 'discard' } | { action: 'keep-editing' };

/** Shows the dialog for a refused write of `mine`; resolves with what the person chose. */
export function resolveConflict(conflict: Conflict, mine: Readonly<Record<string, unknown>>, labels: Readonly<Record<string, string>>): Promise<ConflictChoice> {
  const dialog = byId<HTMLDialogElement>('conflict');
  const picks = new Map<string, 'mine' | 'theirs'>(conflict.conflictingFields.map((field) => [field, field in mine ? 'mine' : 'theirs']));
  const proposal = h('dl', { id: 'conflict-proposal' });
  const merged = (): Record<string, unknown> => {
    const input: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(mine)) if (picks.get(field) !== 'theirs') input[field] = value;
    return input;
  };
  const renderProposal = (): void => {
    const input = merged();
    const fields = [...new Set([...Object.keys(mine), ...conflict.conflictingFields])];
    replaceChildren(
      proposal,
      ...fields.flatMap((field) => {
        const fromMine = field in input;
        return [h('dt', {}, labels[field] ?? field), h('dd', { dataset: { field, from: fromMine ? 'mine' : 'theirs' } }, display(fromMine ? input[field] : conflict.current[field]), h('small', {}, fromMine ? ' (mine)' : ' (theirs)'))];
      }),
    );
  };
  const rows = conflict.conflictingFields.map((field) =>
    h(
      'tr',
      { dataset: { field } },
      h('th', { scope: 'row' }, labels[field] ?? field),
      h('td', { class: 'mine' }, field in mine ? display(mine[field]) : '(unchanged)'),
      h('td', { class: 'theirs' }, display(conflict.current[field])),
      h('td', {}, ...(['mine', 'theirs'] as const).map((side) => choice(field, side, picks, renderProposal))),
    ),
  );
  renderProposal();
  replaceChildren(
    dialog,
    h(
      'form',
      { method: 'dialog' },
      h('h2', {}, 'Someone else changed this customer'),
      h('p', {}, `It is now at version ${conflict.currentVersion}. Pick a value for each field you both changed.`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Mine'), h('th', {}, 'Theirs'), h('th', {}, 'Use'))), h('tbody', {}, ...rows)),
      h('h3', {}, 'Merged proposal'),
      proposal,
      h(
        'menu',
        {},
        h('button', { value: 'save', class: 'primary', id: 'conflict-save' }, 'Save merged'),
        h('button', { value: 'discard', id: 'conflict-discard' }, 'Discard mine'),
        h('button', { value: 'keep-editing', id: 'conflict-cancel' }, 'Keep editing'),
      ),
    ),
  );
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        const action = dialog.returnValue || 'keep-editing';
        resolve(action === 'save' ? { action, input: merged() } : { action: action as 'discard' | 'keep-editing' });
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
  });
}

function choice(field: string, side: 'mine' | 'theirs', picks: Map<string, 'mine' | 'theirs'>, onChange: () => void): HTMLLabelElement {
  const input = h('input', {
    type: 'radio',
    name: `pick-${field}`,
    value: side,
    checked: picks.get(field) === side,
    onchange: () => {
      picks.set(field, side);
      onChange();
    },
  });
  return h('label', {}, input, side === 'mine' ? ' mine' : ' theirs');
}

import { type Change, type DiffResult, type Run, isAbort } from '../api';
import { type PageContext } from '../context';
import { append, badge, clear, emptyState, entityLink, h, loading, scrollTable, table } from '../dom';
import { errorArea, hideError, showError } from '../error-box';
import { formatDuration, formatTime, jsonText, plural } from '../format';

export async function renderRuns(ctx: PageContext): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('runs-error');
  const body = h('div', {}, loading());
  append(root, h('h1', {}, 'Runs'), errorBox, body);

  let runs: Run[];
  try {
    runs = (await api.runs(signal)).runs ?? [];
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    showError(errorBox, err);
    return;
  }
  clear(body);
  if (!runs.length) {
    body.appendChild(emptyState('No runs yet: nothing has been synced into this graph.'));
    return;
  }
  runs = [...runs].sort((a, b) => b.id - a.id);

  const rows = runs.map((r) => [
    String(r.id),
    badge(r.status, r.status),
    r.mode,
    r.description ?? '',
    h('time', { datetime: r.startedAt }, formatTime(r.startedAt)),
    r.finishedAt ? h('time', { datetime: r.finishedAt }, formatTime(r.finishedAt)) : '',
    formatDuration(r.startedAt, r.finishedAt),
    String(r.entities ?? ''),
    String(r.relationships ?? ''),
    (r.partialTypes ?? []).join(', '),
  ]);
  const runsTable = table(
    ['Run', 'Status', 'Mode', 'Description', 'Started', 'Finished', 'Duration', 'Entities', 'Relationships', 'Partial types'],
    rows,
    { id: 'runs-table', class: 'data' },
  );
  body.appendChild(scrollTable(runsTable));

  // Diff between two committed runs.
  const committed = runs.filter((r) => r.status === 'committed');
  const fromSelect = h('select', { id: 'diff-from', name: 'from' });
  const toSelect = h('select', { id: 'diff-to', name: 'to' });
  for (const r of committed) {
    const label = `#${r.id} · ${formatTime(r.startedAt)} · ${r.mode}`;
    fromSelect.appendChild(h('option', { value: String(r.id) }, label));
    toSelect.appendChild(h('option', { value: String(r.id) }, label));
  }
  if (committed.length >= 2) {
    fromSelect.value = String(committed[1].id);
    toSelect.value = String(committed[0].id);
  } else if (committed.length === 1) {
    fromSelect.value = toSelect.value = String(committed[0].id);
  }
  const diffButton = h('button', { type: 'submit', id: 'diff-run', class: 'primary' }, 'Diff');
  const diffError = errorArea('diff-error');
  const diffOut = h('div', { id: 'diff-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'diff-form', id: 'diff-form' },
    h('label', { for: 'diff-from' }, 'From'),
    fromSelect,
    h('label', { for: 'diff-to' }, 'To'),
    toSelect,
    diffButton,
  );
  append(body, h('h2', {}, 'Changes between runs'), form, diffError, diffOut);
  if (committed.length < 2) {
    diffButton.disabled = true;
    diffOut.appendChild(emptyState('A diff needs two committed runs.'));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    hideError(diffError);
    clear(diffOut);
    diffOut.appendChild(loading());
    diffButton.disabled = true;
    try {
      const res = await api.diff(fromSelect.value, toSelect.value, signal);
      clear(diffOut);
      showDiff(diffOut, res);
    } catch (err) {
      if (isAbort(err)) return;
      clear(diffOut);
      showError(diffError, err);
    } finally {
      diffButton.disabled = false;
    }
  });
}

const KINDS: Change['change'][] = ['created', 'updated', 'deleted'];

function showDiff(out: HTMLElement, res: DiffResult): void {
  const changes = res.changes ?? [];
  out.appendChild(
    h('p', { id: 'diff-count', class: 'count' }, `${plural(changes.length, 'change')} from run ${String(res.from ?? '?')} to run ${String(res.to ?? '?')}`),
  );
  if (!changes.length) {
    out.appendChild(emptyState('No changes.'));
    return;
  }
  for (const kind of KINDS) {
    const ofKind = changes.filter((c) => c.change === kind);
    if (!ofKind.length) continue;
    const section = h('section', { class: `diff-kind diff-${kind}`, 'data-change': kind }, h('h3', {}, badge(kind, kind), ` ${ofKind.length}`));
    const byType = new Map<string, Change[]>();
    for (const c of ofKind) {
      const k = `${c.object}\u0000${c.type}`;
      const list = byType.get(k) ?? [];
      list.push(c);
      byType.set(k, list);
    }
    for (const [k, list] of [...byType.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const [object, type] = k.split('\u0000');
      const ul = h('ul', { class: 'diff-list' });
      for (const c of list) ul.appendChild(changeItem(c));
      const group = h(
        'details',
        { class: 'diff-type', 'data-type': type, 'data-object': object },
        h('summary', {}, h('span', { class: 'type-name' }, type), h('span', { class: 'muted' }, ` (${object === 'relationship' ? 'relationships' : 'entities'}, ${list.length})`)),
        ul,
      );
      // Small groups start open; big ones (a first full sync) stay folded until asked for.
      group.open = list.length <= 25;
      section.appendChild(group);
    }
    out.appendChild(section);
  }
}

function changeItem(c: Change): HTMLLIElement {
  const key = c.object === 'entity' && c.change !== 'deleted' ? entityLink(c.key) : h('code', {}, c.key);
  const li = h('li', { 'data-key': c.key }, key);
  if (c.change === 'updated' && c.properties?.length) {
    const rows = c.properties.map((p) => [h('code', {}, p.name), h('code', { class: 'before' }, jsonText(p.before)), '→', h('code', { class: 'after' }, jsonText(p.after))]);
    li.appendChild(scrollTable(table(['Property', 'Before', '', 'After'], rows, { class: 'data diff-props' })));
  }
  return li;
}

import { isAbort } from '../api';
import { type PageContext } from '../context';
import { append, clear, emptyState, h, loading, scrollTable } from '../dom';
import { errorArea, showError } from '../error-box';
import { cellText } from '../format';
import { resultsTable } from '../results-table';

export async function renderEntityTypes(ctx: PageContext): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('entities-error');
  const body = h('div', {}, loading());
  append(root, h('h1', {}, 'Entities'), errorBox, body);
  try {
    const summary = await api.summary(signal);
    clear(body);
    const types = [...(summary.entityTypes ?? [])].sort((a, b) => a.type.localeCompare(b.type));
    if (!types.length) {
      body.appendChild(emptyState('No entities in this graph.'));
      return;
    }
    const total = types.reduce((n, t) => n + (t.count ?? 0), 0);
    body.appendChild(h('p', { class: 'count' }, `${total} entities of ${types.length} types`));
    body.appendChild(
      h(
        'ul',
        { id: 'entity-types', class: 'type-list' },
        types.map((t) =>
          h(
            'li',
            {},
            h('a', { href: `#/entities/${encodeURIComponent(t.type)}`, 'data-type': t.type }, h('span', { class: 'type-name' }, t.type), h('span', { class: 'type-count' }, String(t.count))),
          ),
        ),
      ),
    );
    const rels = [...(summary.relationshipTypes ?? [])].sort((a, b) => a.type.localeCompare(b.type));
    if (rels.length) {
      append(
        body,
        h('h2', {}, 'Relationship types'),
        h('ul', { id: 'relationship-types', class: 'type-list plain' }, rels.map((t) => h('li', {}, h('span', { class: 'type-name' }, t.type), h('span', { class: 'type-count' }, String(t.count))))),
      );
    }
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    showError(errorBox, err);
  }
}

const TYPE_RE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export async function renderEntityList(ctx: PageContext, type: string): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('entities-error');
  const filter = h('input', { id: 'entity-filter', type: 'search', placeholder: 'Filter rows', autocomplete: 'off' });
  const count = h('p', { id: 'entity-count', class: 'count', 'aria-live': 'polite' });
  const body = h('div', {}, loading());
  append(
    root,
    h('p', { class: 'breadcrumb' }, h('a', { href: '#/entities' }, 'Entities'), ' / '),
    h('h1', {}, type),
    h('div', { class: 'filter-row' }, h('label', { for: 'entity-filter' }, 'Filter'), filter),
    errorBox,
    count,
    body,
  );
  if (!TYPE_RE.test(type)) {
    clear(body);
    showError(errorBox, new Error(`Not an entity type: ${type}`));
    return;
  }
  try {
    const res = await api.query(`FIND ${type}`, 1000, signal);
    clear(body);
    const rows = res.rows ?? [];
    const table = resultsTable(res.columns ?? [], rows, 'entity-table');
    body.appendChild(scrollTable(table));
    const trs = [...table.tBodies[0].rows];
    const texts = rows.map((r) => (res.columns ?? []).map((c) => cellText(r[c])).join('\u0000').toLowerCase());
    const totalText = res.truncated ? `${rows.length} of ${res.total} (cut at the row limit)` : `${rows.length}`;
    const update = () => {
      const needle = filter.value.trim().toLowerCase();
      let shown = 0;
      trs.forEach((tr, i) => {
        const match = !needle || texts[i].includes(needle);
        tr.hidden = !match;
        if (match) shown++;
      });
      count.textContent = needle ? `${shown} of ${totalText} rows match` : `${totalText} rows`;
    };
    filter.addEventListener('input', update);
    update();
    if (!rows.length) body.appendChild(emptyState('No entities of this type.'));
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    showError(errorBox, err);
  }
}

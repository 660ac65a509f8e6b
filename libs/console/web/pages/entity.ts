import { isAbort } from '../api';
import { type PageContext } from '../context';
import { append, clear, emptyState, entityLink, externalLink, h, loading, scrollTable, table } from '../dom';
import { errorArea, showError } from '../error-box';
import { propertyTable } from '../property-table';

export async function renderEntity(ctx: PageContext, key: string): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('entity-error');
  const title = h('h1', { class: 'entity-title' }, key);
  const body = h('div', {}, loading());
  append(root, h('p', { class: 'breadcrumb' }, h('a', { href: '#/entities' }, 'Entities'), ' / '), title, errorBox, body);
  try {
    const res = await api.entity(key, signal);
    clear(body);
    const e = res.entity ?? {};
    const type = typeof e._type === 'string' ? e._type : '';
    const name = [e.displayName, e.name, e.username, e.email].find((v) => typeof v === 'string' && v !== '') as string | undefined;
    title.textContent = name ?? key;
    const crumb = root.querySelector('.breadcrumb');
    if (crumb && type) crumb.appendChild(h('a', { href: `#/entities/${encodeURIComponent(type)}` }, type));
    body.appendChild(h('p', { class: 'entity-key' }, h('code', {}, key)));
    const link = res.webLink ? externalLink(res.webLink, 'Open in the JumpCloud console') : null;
    if (link) body.appendChild(h('p', { class: 'weblink', id: 'entity-weblink' }, link));

    body.appendChild(h('h2', {}, 'Properties'));
    body.appendChild(scrollTable(propertyTable(e, 'entity-props')));

    const rels = res.relationships ?? [];
    body.appendChild(h('h2', {}, `Relationships (${rels.length})`));
    if (!rels.length) {
      body.appendChild(emptyState('No relationships.'));
      return;
    }
    const sorted = [...rels].sort((a, b) => a.direction.localeCompare(b.direction) || a.type.localeCompare(b.type));
    const rows = sorted.map((r) => [
      h('span', { class: `direction direction-${r.direction}`, title: r.direction === 'out' ? 'from this entity' : 'to this entity' }, r.direction === 'out' ? 'out →' : '← in'),
      r.type,
      r.other ? entityLink(r.other.id, r.other.label || r.other.id) : '',
      r.other?.type ?? '',
    ]);
    body.appendChild(scrollTable(table(['Direction', 'Type', 'Other end', 'Other type'], rows, { id: 'entity-relationships', class: 'data' })));
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    showError(errorBox, err);
  }
}

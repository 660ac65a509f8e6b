import { append, entityLink, h } from './dom';
import { cellText } from './format';

export function isKeyColumn(column: string): boolean {
  return column === '_key' || column.endsWith('._key');
}

/** A query result as a table: header from columns, one row per result row; `_key` cells link to the entity page. */
export function resultsTable(columns: string[], rows: Record<string, unknown>[], id?: string): HTMLTableElement {
  const tbody = h('tbody');
  for (const row of rows) tbody.appendChild(resultRow(columns, row));
  return h(
    'table',
    { id, class: 'results' },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );
}

export function resultRow(columns: string[], row: Record<string, unknown>): HTMLTableRowElement {
  const tr = h('tr');
  for (const c of columns) {
    const value = row[c];
    const td = h('td');
    if (isKeyColumn(c) && typeof value === 'string' && value !== '') {
      td.appendChild(entityLink(value));
    } else {
      const text = cellText(value);
      if (text.length > 300) {
        td.setAttribute('title', text.slice(0, 2000));
        append(td, `${text.slice(0, 300)}…`);
      } else {
        append(td, text);
      }
      if (typeof value === 'number') td.classList.add('num');
    }
    tr.appendChild(td);
  }
  return tr;
}

import { entityLink, h } from './dom';
import { cellText, formatTime } from './format';

const TIME_PROPS = /(On|At|Time|Date)$/;

/** Two columns (property, value); _key/_type/_class first, then the rest sorted by name. */
export function propertyTable(entity: Record<string, unknown>, id?: string): HTMLTableElement {
  const first = ['_key', '_type', '_class'];
  const names = [...first.filter((n) => n in entity), ...Object.keys(entity).filter((n) => !first.includes(n)).sort()];
  const tbody = h('tbody');
  for (const name of names) {
    const value = entity[name];
    let cell: Node | string;
    if (name === '_key' && typeof value === 'string') cell = entityLink(value);
    else if (typeof value === 'number' && TIME_PROPS.test(name) && value > 1e11) {
      // epoch milliseconds: show both
      cell = `${formatTime(value)} (${value})`;
    } else cell = cellText(value);
    tbody.appendChild(h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, cell)));
  }
  return h(
    'table',
    { id, class: 'props' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Property'), h('th', { scope: 'col' }, 'Value'))),
    tbody,
  );
}

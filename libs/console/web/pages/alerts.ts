import { isAbort } from '../api';
import { type PageContext } from '../context';
import { append, badge, clear, emptyState, entityLink, h, loading, scrollTable, table } from '../dom';
import { errorArea, showError } from '../error-box';
import { formatTime } from '../format';

export async function renderAlerts(ctx: PageContext): Promise<void> {
  const { root, api, signal } = ctx;
  const errorBox = errorArea('alerts-error');
  const counts = h('p', { id: 'alerts-count', class: 'count', 'aria-live': 'polite' });
  const body = h('div', {}, loading());
  append(root, h('h1', {}, 'Alerts'), errorBox, counts, body);

  try {
    const res = await api.alerts(signal);
    clear(body);
    const findings = res.findings ?? [];
    const c = res.counts ?? {};
    append(
      counts,
      ...(['pending', 'delivered', 'recorded', 'dropped'] as const).map((s) => h('span', { class: 'count-item' }, badge(s, s), ` ${c[s] ?? 0}`)),
    );
    if (!findings.length) {
      body.appendChild(emptyState('No findings: no alert rule has matched anything yet.'));
      return;
    }
    const rows = findings.map((f) => [
      h('span', { class: 'rule-id' }, f.ruleId),
      badge(f.severity, `sev-${f.severity}`),
      f.kind,
      h(
        'span',
        { class: 'object' },
        h('span', { class: 'object-type' }, f.objectType),
        h('br'),
        entityLink(f.objectKey),
        f.name ? h('br') : null,
        f.name ? h('span', { class: 'object-name' }, f.name) : null,
      ),
      badge(f.status, f.status),
      String(f.attempts ?? 0),
      f.lastError ? h('span', { class: 'last-error' }, f.lastError) : '',
      h('time', { datetime: f.createdAt }, formatTime(f.createdAt)),
      f.deliveredAt ? h('time', { datetime: f.deliveredAt }, formatTime(f.deliveredAt)) : '',
    ]);
    body.appendChild(
      scrollTable(
        table(['Rule', 'Severity', 'Kind', 'Object', 'Status', 'Attempts', 'Last error', 'Created', 'Delivered'], rows, {
          id: 'alerts-table',
          class: 'data',
        }),
      ),
    );
  } catch (err) {
    if (isAbort(err)) return;
    clear(body);
    showError(errorBox, err);
  }
}
